# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install assets browser store run test lint typecheck unit conformance graphql-audit soak bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Browser assets from the npm registry (package-lock.json), copied into an ignored folder.
YASGUI := api/static/vendor/yasgui
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(YASGUI)/yasgui.min.js: node_modules/.package-lock.json
	mkdir -p $(YASGUI)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(YASGUI)/

GRAPHIQL := api/static/vendor/graphiql
$(GRAPHIQL)/graphiql.min.js: node_modules/.package-lock.json
	mkdir -p $(GRAPHIQL)
	cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css $(GRAPHIQL)/
	cp node_modules/react/umd/react.production.min.js node_modules/react-dom/umd/react-dom.production.min.js $(GRAPHIQL)/

assets: $(YASGUI)/yasgui.min.js $(GRAPHIQL)/graphiql.min.js

## The /explore page: web/explore/ bundled with sigma.js and graphology by esbuild (from node_modules).
EXPLORE := api/static/vendor/explore
$(EXPLORE)/explore.js: node_modules/.package-lock.json $(wildcard web/explore/*)
	node_modules/.bin/esbuild web/explore/main.js --bundle --minify --format=esm --target=es2020 --log-level=warning --outfile=$@

assets: $(EXPLORE)/explore.js

## Debian's Chromium for the browser tests (never a browser download of a test tool's own).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

## Build the bundled store (in the user's data directory, or $$CNRS_KG_STORE) unless it exists.
store: install assets
	$(BIN)/cnrs-kg load --bundled --if-absent

## Serve SPARQL on http://$(HOST):$(PORT)/sparql
run: store
	$(BIN)/cnrs-kg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install assets browser
	$(BIN)/pytest

## W3C SPARQL 1.1 Protocol and Graph Store Protocol tests against a server started on a temporary store.
conformance: install
	$(BIN)/python -m tests.conformance.runner --suite protocol --suite graph-store

## The graphql-http server audit (every MUST and SHOULD) against a server started on a copy of the store.
graphql-audit: install assets
	$(BIN)/python -m tests.api.graphql.audit

## The whole suite: lint, types, tests and the W3C protocol and Graph Store suites (what CI runs).
test: lint typecheck unit conformance graphql-audit

## The reliability suite at length: a minute of load, ten times the fuzzing, a 20,000-work load killed at five points.
soak: install
	CNRS_KG_SOAK=1 $(BIN)/pytest tests/reliability -q

bench: install
	@for name in $$(basename -s .py bench/*.py); do \
		case $$name in __init__|loadgen|scale_rules) ;; scale) $(BIN)/python -m bench.scale $(SCALE_ARGS) ;; \
		*) $(BIN)/python -m bench.$$name ;; esac; done; true

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build var node_modules $(YASGUI) $(GRAPHIQL) $(EXPLORE)
