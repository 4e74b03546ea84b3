# One obvious command per job. Each sets up what it needs first (a local .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup chat test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

chat: setup  ## talk to the skill in text
	$(BIN)/python -m skill chat

test: setup  ## everything CI checks
	$(BIN)/ruff check skill tests
	$(BIN)/ruff format --check skill tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check skill tests
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format skill tests
	$(BIN)/ruff check --fix skill tests

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
