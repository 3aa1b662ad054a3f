# The README's commands: `make run` (set up, load the demo, serve on http://127.0.0.1:5000, or PORT, with the
# scheduler beside it) and `make test` (set up, then every test on SQLite and, where a server answers on loopback,
# PostgreSQL).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app training_app
# `make run PORT=8080` serves on another port when 5000 is taken.
PORT ?= 5000
PG_HOST ?= 127.0.0.1
PG_USER ?= postgres
PG_TEST_DB ?= training_app_test
PG_URL := postgresql+psycopg://$(PG_USER)@$(PG_HOST):5432/$(PG_TEST_DB)
# Test processes (pytest-xdist); each has its own database. TEST_WORKERS=0 runs in one process. Files are handed
# out in collection order (--no-loadscope-reorder): xdist's default, most tests first, left the slow files of one
# to four tests (browser, concurrency, live seeds) for last, where one of them kept a worker busy after the other
# had finished.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: setup python-deps assets browser db demo run test test-sqlite test-postgres lint format bench bench-tools bench-bookings bench-national bench-pages clean

setup: python-deps assets

python-deps: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

assets: static/css/app.css

static/css/app.css: package.json package-lock.json build-assets.mjs $(wildcard assets/*.scss)
	npm ci --no-audit --no-fund
	npm run build

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests" >&2; exit 1; fi; }

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed demo --if-empty

# The scheduler runs beside gunicorn, so the demo's reminders and queued emails go out, and stops with it.
run: demo
	export SESSION_COOKIE_SECURE=0 SERVICE_URL="$${SERVICE_URL:-http://127.0.0.1:$(PORT)}"; \
	  $(FLASK) scheduler & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: setup browser test-sqlite test-postgres

test-sqlite:
	$(PYTEST)

# The browser tests' server keeps its own SQLite file whatever TEST_DATABASE_URL says, so a PostgreSQL pass of
# them would repeat the SQLite pass exactly: they run once, in test-sqlite.
test-postgres:
	@if pg_isready -q -h $(PG_HOST) 2>/dev/null; then \
	  for db in $(PG_TEST_DB) $$(seq -f "$(PG_TEST_DB)_gw%g" 0 $$(( $(TEST_WORKERS) - 1 ))); do \
	    psql -q -h $(PG_HOST) -U $(PG_USER) -d postgres -c "DROP DATABASE IF EXISTS $$db" || exit 1; \
	  done && \
	  psql -q -h $(PG_HOST) -U $(PG_USER) -d postgres -c "CREATE DATABASE $(PG_TEST_DB)" && \
	  TEST_DATABASE_URL=$(PG_URL) $(PYTEST) -m "not browser"; \
	else echo "No PostgreSQL server answers on $(PG_HOST): skipped the PostgreSQL run"; fi

lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: python-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench.counting --scale realistic
	$(BIN)/python -m bench.seed_demo

bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: run 'sudo apt-get install wrk' for the bookings benchmark" >&2; exit 1; fi; }

bench-bookings: setup bench-tools
	$(BIN)/python -m bench.bookings
	@if pg_isready -q -h $(PG_HOST) 2>/dev/null; then \
	  psql -q -h $(PG_HOST) -U $(PG_USER) -d postgres -c "DROP DATABASE IF EXISTS bench_bookings" && \
	  psql -q -h $(PG_HOST) -U $(PG_USER) -d postgres -c "CREATE DATABASE bench_bookings" && \
	  $(BIN)/python -m bench.bookings --database-url postgresql+psycopg://$(PG_USER)@$(PG_HOST):5432/bench_bookings; fi

bench-pages: setup bench-tools
	mkdir -p instance
	$(BIN)/python -m bench.pages --scale $(or $(SCALE),regional) --keep instance/bench-pages-$(or $(SCALE),regional).sqlite3
	@if pg_isready -q -h $(PG_HOST) 2>/dev/null; then \
	  psql -q -h $(PG_HOST) -U $(PG_USER) -d postgres -c "CREATE DATABASE bench_pages_$(or $(SCALE),regional)" 2>/dev/null; \
	  $(BIN)/python -m bench.pages --scale $(or $(SCALE),regional) --reuse \
	    --database-url postgresql+psycopg://$(PG_USER)@$(PG_HOST):5432/bench_pages_$(or $(SCALE),regional); fi

bench-national: setup
	$(BIN)/python -m bench.counting --scale national --repeats 3

clean:
	rm -rf $(VENV) node_modules static/css static/js static/assets instance
