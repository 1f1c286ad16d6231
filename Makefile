# The README's two commands: `make run` and `make test`. Each bootstraps its own virtual
# environment on first use and re-uses it while the files it was built from are unchanged.
#   .venv-run  runtime dependencies only (what `pip install nea-monitor` gives): `make run`
#   .venv      runtime + dev + docs + bench extras: tests, linters, docs, benchmarks
# Both take their versions from requirements-dev.lock (pip constraints, `make lock`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_VENV := .venv-run
RUN_STAMP := $(RUN_VENV)/.installed-stamp
LOCK := requirements-dev.lock
UV_VERSION := 0.13.9
# The pip bundled with Python 3.11 (23.x) fails on constraints combined with extras
# (lxml[html-clean] from the bench extra); this one is pinned like everything else.
PIP_VERSION := 26.3
CONFIG ?= sources.yaml
PYTEST_ARGS ?=
LINT_PATHS := scraper storage tests benchmarks alembic scripts setup.py

.PHONY: run test lint ruff format-check typecheck docs docs-serve check demo bench \
	bench-extraction bench-crawl lock clean

$(STAMP): pyproject.toml setup.py $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev,docs,bench]'
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml setup.py $(LOCK)
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	$(RUN_VENV)/bin/python -m pip install --quiet -c $(LOCK) -e .
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(RUN_VENV)/bin/scraper run --config $(CONFIG)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

ruff: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)

format-check: $(STAMP)
	$(BIN)/ruff format --check $(LINT_PATHS)

lint: ruff format-check

typecheck: $(STAMP)
	$(BIN)/mypy --strict

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

check: lint typecheck docs test

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

bench-extraction: $(STAMP)
	$(BIN)/python benchmarks/extraction.py

bench-crawl: $(STAMP)
	$(BIN)/python benchmarks/crawl.py

bench: bench-extraction bench-crawl

# Re-pin every dependency (runtime and extras) after editing pyproject.toml. uv resolves in
# a second where pip-compile takes minutes, and it is one pinned wheel, not a plugin of pip.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	.venv-lock/bin/uv pip compile pyproject.toml --extra dev --extra docs --extra bench \
		--python-version 3.11 --quiet --output-file $(LOCK)

clean:
	rm -rf $(VENV) $(RUN_VENV) .venv-lock site .pytest_cache .mypy_cache .ruff_cache
