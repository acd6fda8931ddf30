# Printbell: `make run` to start it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The scale-out configuration that `make test` runs the suite against a second time.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/0

.PHONY: run test test-embedded test-scaleout lint bench install install-dev clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Printbell needs Python 3.11 or newer (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Install, migrate, and serve (web + worker) on SQLite at http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(PY) backend/manage.py migrate --noinput
	$(PY) backend/manage.py serve --host $(HOST) --port $(PORT)

## Install and run every test: lint, the suite on SQLite, then on PostgreSQL + Redis
test: $(VENV)/.installed-dev lint test-embedded test-scaleout

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test-embedded: $(VENV)/.installed-dev
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest

test-scaleout: $(VENV)/.installed-dev
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest

## Delivery benchmark (not part of `make test`)
bench: $(VENV)/.installed-dev
	$(PY) bench/delivery.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
