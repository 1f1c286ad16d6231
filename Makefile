# The README's two commands: `make run` and `make test`. Each bootstraps .venv itself and
# re-uses it while pyproject.toml is unchanged.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CONFIG ?= sources.yaml
PYTEST_ARGS ?=

.PHONY: run test lint typecheck check demo bench bench-extraction bench-crawl clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/scraper run --config $(CONFIG)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check scraper storage tests benchmarks alembic
	$(BIN)/ruff format --check scraper storage tests benchmarks alembic

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

bench-extraction: $(STAMP)
	$(BIN)/python benchmarks/extraction.py

bench-crawl: $(STAMP)
	$(BIN)/python benchmarks/crawl.py

bench: bench-extraction bench-crawl

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
