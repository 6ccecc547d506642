# Two commands on a fresh machine with Python 3.11:
#   make build   set up .venv, install cchc-kg, build the graph into dist/cchc.trig
#   make test    set up .venv with the test tools, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: build test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python kg/viz/static/viz.bundle.js kg/serve/static/query.bundle.js
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The front end of `kg viz` (sigma.js, graphology), pinned by frontend/package-lock.json and
# bundled into one file that the HTML page inlines; built, never committed.
kg/viz/static/viz.bundle.js: frontend/package.json frontend/package-lock.json frontend/src/main.js frontend/src/style.css
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	touch $@

# The SPARQL editor of `kg serve`'s query page (YASGUI), from the same frontend/ and lockfile,
# bundled into one file that kg/serve/query_page.py inlines; built, never committed. npm ci
# runs again only when the lockfile is newer than the installed modules.
kg/serve/static/query.bundle.js: frontend/package.json frontend/package-lock.json frontend/src/query-page.js frontend/src/query-page.css
	cd frontend && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build:query
	touch $@

build: $(VENV)/.installed
	$(BIN)/kg build -o dist/cchc.trig

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check kg tests benchmarks scripts
	$(BIN)/ruff format --check kg tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) dist .pytest_cache
