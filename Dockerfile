# nea-monitor in a container. Build and run:
#   docker build -t nea-monitor .
#   docker run -d --name nea -v nea-data:/data -v "$PWD/sources.yaml:/config/sources.yaml:ro" \
#       -e NEA_WEBHOOK_SECRET=... -p 9464:9464 nea-monitor
# With PostgreSQL: -e NEA_DATABASE_URL=postgresql://user:pass@db/nea (any number of replicas).
# `docker kill -s HUP nea` reloads sources.yaml; `docker stop` is a clean SIGTERM shutdown.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    NEA_DATABASE_URL=sqlite:////data/nea-monitor.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY scraper ./scraper
COPY storage ./storage
COPY alembic ./alembic
COPY sources.yaml /config/sources.yaml
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home /data nea \
    && mkdir -p /data && chown nea /data

USER nea
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; \
    sys.exit(urllib.request.urlopen('http://127.0.0.1:9464/readyz').status != 200)"
ENTRYPOINT ["scraper", "--log-format", "json"]
CMD ["run", "--config", "/config/sources.yaml", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"]
