# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
SERVE_STAMP := $(VENV)/.installed-serve
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-serve lock assets browser store run test lint typecheck unit conformance graphql-audit soak bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

## The locked dependencies (requirements/, hashes checked), then the project without dependencies: pip
## refuses an editable install in hash-checking mode. `pip check` fails when pyproject.toml asks for a
## package the lock lacks (a dependency added without `make lock`).
define install-locked
	$(BIN)/python -m pip install -q --require-hashes -r $<
	$(BIN)/python -m pip install -q --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || ($(BIN)/python -m pip check; \
		echo "requirements/ is out of step with pyproject.toml: run make lock"; exit 1)
	touch $@
endef

$(STAMP): requirements/dev.txt pyproject.toml | $(BIN)/python
	$(install-locked)

$(SERVE_STAMP): requirements/serve.txt pyproject.toml | $(BIN)/python
	$(install-locked)

## What tests and tools need (the dev extras), and what serving needs (`make run`).
install: $(STAMP)
install-serve: $(SERVE_STAMP)

## Lock files compiled from pyproject.toml by uv, for every platform, pinned with hashes; existing pins
## are kept (`make lock LOCK_ARGS=--upgrade` moves them to the newest). Run it after any dependency change.
UV_VERSION := 0.13.8
LOCK = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command 'make lock' $(LOCK_ARGS)
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(LOCK) --extra dev -o requirements/dev.txt
	$(LOCK) -c requirements/dev.txt -o requirements/serve.txt

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

## Debian's xmllint (libxml2-utils): the export tests validate GEXF and GraphML against the official schemas.
.PHONY: xmllint
xmllint:
	@command -v xmllint >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null)

## Debian's Virtuoso Open Source 7, server and isql only (virtuoso-opensource-7-bin: no system service, no
## debconf question, no database in /var/lib); tests/engines/virtuoso.py starts a private instance.
.PHONY: virtuoso
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin >/dev/null)

## Debian's nginx, the load balancer in front of replicas in the tests (tests/engines/nginx.py runs its own).
.PHONY: nginx
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null)

## Build the bundled store (in the user's data directory, or $$CNRS_KG_STORE) unless it exists.
store: install-serve assets
	$(BIN)/cnrs-kg load --bundled --if-absent

## Serve SPARQL on http://$(HOST):$(PORT)/sparql
run: store
	$(BIN)/cnrs-kg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install assets browser xmllint virtuoso nginx
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

bench: install virtuoso nginx
	@for name in $$(basename -s .py bench/*.py); do \
		case $$name in __init__|loadgen|scale_rules) ;; scale) $(BIN)/python -m bench.scale $(SCALE_ARGS) ;; \
		remote) $(BIN)/python -m bench.remote $(REMOTE_ARGS) ;; \
		*) $(BIN)/python -m bench.$$name ;; esac; done; true

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build var node_modules $(YASGUI) $(GRAPHIQL) $(EXPLORE)
