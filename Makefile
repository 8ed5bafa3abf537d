# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install store run test lint typecheck unit conformance bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the bundled store (in the user's data directory, or $$CNRS_KG_STORE) unless it exists.
store: install
	$(BIN)/cnrs-kg load --bundled --if-absent

## Serve SPARQL on http://$(HOST):$(PORT)/sparql
run: store
	$(BIN)/cnrs-kg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

## W3C SPARQL 1.1 Protocol and Graph Store Protocol tests against a server started on a temporary store.
conformance: install
	$(BIN)/python -m tests.conformance.runner --suite protocol --suite graph-store

## The whole suite: lint, types, tests and the W3C protocol and Graph Store suites (what CI runs).
test: lint typecheck unit conformance

bench: install
	@for script in bench/*.py; do [ -f "$$script" ] && $(BIN)/python "$$script"; done; true

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build var
