# Kinga — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Django 6 needs Python 3.12+: take the first interpreter on this machine that is new enough.
PYTHON ?= $(shell for p in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/kinga_ci
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres test-browser lint format messages bench clean demo worker

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kinga needs Python 3.12 or newer; none found." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p var
	@touch $@

messages: $(STAMP)
	@cd kinga && ../$(BIN)/django-admin compilemessages --ignore=.venv -l sw >/dev/null

run: $(STAMP) messages
	@mkdir -p var
	KINGA_ENV=development $(BIN)/kinga manage migrate --no-input
	KINGA_ENV=development $(BIN)/kinga demo --if-empty
	KINGA_ENV=development $(BIN)/kinga serve --host $(HOST) --port $(PORT)

worker: $(STAMP)
	KINGA_ENV=development $(BIN)/kinga worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite: lint, SQLite, the browser tests when Chromium is installed, and
# PostgreSQL when DATABASE_URL points at one. With CI=true, PostgreSQL and Chromium are
# both required: if either cannot run, the run fails.
test: $(STAMP) messages lint
	@mkdir -p var
	KINGA_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	$(MAKE) --no-print-directory test-sqlite
	@if [ "$$CI" = "true" ] || [[ "$$DATABASE_URL" == postgres* ]]; then \
		$(MAKE) --no-print-directory test-postgres; fi
	@if [ "$$CI" = "true" ] || [ -x /usr/bin/chromium ]; then $(MAKE) --no-print-directory test-browser; \
		else echo "Browser tests not run: /usr/bin/chromium is missing (apt-get install chromium)"; fi

test-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -q -n 2 -m "not browser"

test-postgres: $(STAMP)
	@url="$${DATABASE_URL:-$(PG_URL)}"; [[ "$$url" == postgres* ]] || url=$(PG_URL); \
	$(BIN)/python -c "import psycopg,sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); \
	psycopg.connect(host=p.hostname, port=p.port or 5432, user=p.username, password=p.password or None, dbname='postgres').close()" "$$url" \
		|| { echo "PostgreSQL is required here but $$url cannot be reached" >&2; exit 1; }; \
	DATABASE_URL="$$url" $(BIN)/pytest -q -n 2 -m "not browser"

test-browser: $(STAMP)
	@test -x /usr/bin/chromium || { echo "Browser tests need /usr/bin/chromium (apt-get install chromium)" >&2; exit 1; }
	KINGA_REQUIRE_BROWSER=true DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -q -m browser

bench: $(STAMP) messages
	$(BIN)/python -m pip install --quiet '.[bench]' || echo "peer packages unavailable: bench runs without them"
	KINGA_ENV=test $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/test.sqlite3 build *.egg-info
