# `make run` and `make test` work on a fresh machine: each makes .venv and installs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The browser tests drive Debian's Chromium; installed here when the machine lacks it.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/opensales quickstart

$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || \
	  ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

test: $(STAMP) $(CHROMIUM) lint
	$(BIN)/pytest

# Retake docs/screenshots/*.png (the README shows them) from the browser tests.
screenshots: $(STAMP) $(CHROMIUM)
	OPENSALES_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
