# auditloop: `make demo` starts the product with a demo council; `make test` runs the tests.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STATIC := auditloop/core/static/auditloop
# Python keeps this project's compiled modules (__pycache__/, which git ignores), even where the
# machine's environment says not to: otherwise every test worker, and every process a test
# starts, compiles the whole app from source (13 s of a worker's 28 s collection).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install demo test test-large mutation lint migrations-check supply-chain frontend ci

install: $(VENV)/.installed $(STATIC)/app.css /usr/bin/chromium  ## Set up everything, start nothing.

# Python 3.12 from pyenv where the machine has it, else python3.12 on PATH.
$(VENV)/.installed: requirements/base.txt requirements/dev.txt pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
	  py=$$(command -v pyenv >/dev/null && pyenv which python$(PYTHON_VERSION) 2>/dev/null || command -v python$(PYTHON_VERSION)); \
	  if [ -z "$$py" ]; then echo "Python $(PYTHON_VERSION) is needed: install it with pyenv or apt." >&2; exit 1; fi; \
	  "$$py" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(STATIC)/app.css: node_modules/.package-lock.json frontend/app.scss
	mkdir -p $(STATIC)/vendor
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/vendor/
	cp -r node_modules/govuk-frontend/dist/govuk/assets $(STATIC)/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js $(STATIC)/vendor/
	npx --no-install sass --no-source-map --quiet-deps --load-path=node_modules --style=compressed frontend/app.scss $@
	mkdir -p var/static

# Debian's Chromium drives the browser tests (Playwright's own download is not used); Pango is
# what WeasyPrint lays briefings out with.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; fi

demo: install
	$(BIN)/auditloop migrate --no-input -v 0
	$(BIN)/auditloop demo --port $(PORT)

# The whole suite, the large councils' query counts included (their modules are handed out
# first: auditloop/conftest.py). `make test-large` runs those alone.
test: install
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -q $(PYTEST_ARGS)

test-large: install
	$(BIN)/pytest -m large -q $(PYTEST_ARGS)

# Mutation testing of the pure modules (scripts/mutation.py): about twenty minutes, not in CI.
mutation: install
	$(BIN)/python scripts/mutation.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

migrations-check: install
	$(BIN)/auditloop makemigrations --check --dry-run

# Known vulnerabilities in the pinned Python packages (pip-audit) and the front end's lock
# (npm audit): fails on one with a fix available; warns when the service cannot be reached
# (AUDITLOOP_SUPPLY_CHAIN_REQUIRE_SERVICE=1 makes that fail too). scripts/supply_chain.py.
supply-chain: install
	$(BIN)/python scripts/supply_chain.py

ci:  ## What CI runs: the suite on SQLite and on a throwaway PostgreSQL 15, lint, types, migrations, supply chain.
	bash .ci/run
