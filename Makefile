# Two commands on a fresh machine with Python 3.11:
#   make build   set up .venv, install cchc-kg, build the graph into dist/cchc.trig
#   make test    set up .venv with the test tools, run the test suite
# Node.js and npm build the front ends of kg viz and kg serve's query page; without them
# everything else is installed and works, and make says what is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NPM := $(shell command -v npm 2>/dev/null)
BUNDLES := kg/viz/static/viz.bundle.js kg/serve/static/query.bundle.js

.PHONY: build test lint clean bundles wheel

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The editable install reads ontology/, data/ and queries/ from this checkout; setup.py's hook
# builds a missing bundle with npm (or warns, without npm).
$(VENV)/.installed: pyproject.toml setup.py | $(BIN)/python
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

ifeq ($(NPM),)
bundles:
	@echo "make: npm not found: kg viz's page and kg serve's query page are not built (install Node.js and npm, then make build again); everything else works" >&2
else
bundles: $(BUNDLES)
endif

build: $(VENV)/.installed bundles
	$(BIN)/kg build -o dist/cchc.trig

# A worker per core (at most 4), each taking whole test files: a file's tests share its fixtures
# and run in their order (tests/test_readme.py runs the page top to bottom).
test: $(VENV)/.installed bundles
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

lint: $(VENV)/.installed
	$(BIN)/ruff check kg tests benchmarks scripts setup.py
	$(BIN)/ruff format --check kg tests benchmarks scripts setup.py
	$(BIN)/lint-imports --no-cache

# The sdist and the wheel (bundles built into both: installing either needs no Node.js).
wheel: $(VENV)/.installed bundles
	rm -rf dist/wheel
	$(BIN)/python -m build --outdir dist/wheel

clean:
	rm -rf $(VENV) dist .pytest_cache build
