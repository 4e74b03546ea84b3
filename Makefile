# One obvious command per job. Each sets up what it needs first (a local .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup chat web screenshots test lint format clean lambda skill-package check-skill-package lock bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What the chat needs (the skill itself, whose dependencies include the simulator's
# hassil): the first `make chat` installs only this, saying what it does as it goes.
$(VENV)/.chat-installed: pyproject.toml | $(BIN)/python
	@echo "==> First run: installing what the chat needs into $(VENV) (a minute or two, once only)"
	$(BIN)/python -m pip install --upgrade --progress-bar on pip
	$(BIN)/python -m pip install --progress-bar on -e .
	@echo "==> Ready. Starting the chat."
	@touch $@

# Everything CI runs (the skill and its `dev` extra).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing the development and test tools into $(VENV) (once only)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@touch $(VENV)/.chat-installed $@

setup: $(VENV)/.installed

chat: $(VENV)/.chat-installed  ## talk to the skill in text
	$(BIN)/python -m skill chat

# The page needs nothing the chat does not (Flask comes with the skill).
web: $(VENV)/.chat-installed  ## try the skill in a browser: a local page like an Echo Show
	$(BIN)/python -m skill web

screenshots: setup  ## docs/web-*.png: the page at three sizes (Playwright and Chromium)
	$(BIN)/python -m skill web --screenshots docs

test: setup  ## everything CI checks
	$(BIN)/ruff check skill tests deploy bench
	$(BIN)/ruff format --check skill tests deploy bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check skill tests deploy bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format skill tests deploy bench
	$(BIN)/ruff check --fix skill tests deploy bench

bench: setup  ## ours vs a minimal ask-sdk skill: ratios, never asserted (QUICK=1: smoke run)
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)

lambda: setup  ## build deploy/build/lambda for SAM, and check it answers
	$(BIN)/python deploy/build.py lambda

# ENDPOINT=Lambda ARN or https URL, PRIVACY_URL= and TERMS_URL= https URLs (each may hold
# {locale}), RESPONSIBLE= who answers for the data and how to reach them (filled into the
# privacy notice, written to deploy/build/PRIVACY.md): all required, and a placeholder is
# refused. The package is checked.
skill-package: setup  ## assemble and check deploy/build/skill-package
	$(BIN)/python deploy/build.py skill-package --endpoint '$(ENDPOINT)' \
		--privacy-url '$(PRIVACY_URL)' --terms-url '$(TERMS_URL)' --responsible '$(RESPONSIBLE)'

check-skill-package: setup  ## check a built skill package (DIR=, default deploy/build/skill-package)
	$(BIN)/python deploy/build.py check-package $(or $(DIR),deploy/build/skill-package)

lock: setup  ## after changing a dependency: the hashed locks in deploy/lock/ (uv)
	$(BIN)/python -m deploy.lock

clean:
	rm -rf $(VENV) build dist deploy/build .pytest_cache .mypy_cache .ruff_cache
