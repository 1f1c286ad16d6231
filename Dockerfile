# syntax=docker/dockerfile:1
# nea-monitor in a container: the wheel is built in one stage and installed, with its
# runtime dependencies only, in a slim image that runs as a non-root user. Build and run:
#   docker build -t nea-monitor .
#   docker run -d --name nea --stop-timeout 30 -v nea-data:/data -v "$PWD/sources.yaml:/config/sources.yaml:ro" \
#       -e NEA_WEBHOOK_SECRET=... -p 9464:9464 nea-monitor
# With PostgreSQL: -e NEA_DATABASE_URL=postgresql://user:pass@db/nea (any number of replicas).
# `docker kill -s HUP nea` reloads sources.yaml; `docker stop` is a clean SIGTERM shutdown
# (in-flight polls get `--grace`, 20 s: the stop timeout must exceed it; Docker's is 10 s).
# docs/how-to/deploy.md explains each choice.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE requirements-dev.lock ./
COPY scraper ./scraper
COPY storage ./storage
COPY alembic ./alembic
# The project's wheel and a wheel of every runtime dependency, at the locked versions: the
# runtime stage installs from /wheels alone, without a compiler or the network.
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint requirements-dev.lock .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    NEA_DATABASE_URL=sqlite:////data/nea-monitor.db
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels nea-monitor \
    && useradd --system --uid 10001 --home-dir /data --no-create-home nea \
    && mkdir -p /data /config && chown nea /data
COPY sources.yaml /config/sources.yaml

USER nea
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; \
    sys.exit(urllib.request.urlopen('http://127.0.0.1:9464/readyz').status != 200)"
ENTRYPOINT ["scraper", "--log-format", "json"]
CMD ["run", "--config", "/config/sources.yaml", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"]
