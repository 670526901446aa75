# Practica: `make demo` runs it, `make test` proves it. Everything is installed into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
export PRACTICA_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint format install browser-deps test-unit test-browser test-hostile migrations-check lock clean-demo bench-similar bench-similar-quality bench-pages bench-search bench-guard bench-api bench-portability bench-import bench-queue bench-insights

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## demo: install, migrate an SQLite database under var/, seed the demo once, serve on :$(PORT)
demo: $(STAMP)
	PRACTICA_DEMO=1 $(BIN)/practica migrate --no-input
	PRACTICA_DEMO=1 $(BIN)/practica collectstatic --no-input --verbosity 0
	PRACTICA_DEMO=1 $(BIN)/practica seed-demo
	PRACTICA_DEMO=1 $(BIN)/practica serve --port $(PORT) --with-worker

## test: lint, migrations check, the whole suite (SQLite, or DATABASE_URL), then browser journeys
test: $(STAMP) browser-deps lint migrations-check test-unit test-browser

lint: $(STAMP)
	$(BIN)/ruff check practica conftest.py
	$(BIN)/ruff format --check practica conftest.py

format: $(STAMP)
	$(BIN)/ruff check --fix practica
	$(BIN)/ruff format practica

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=practica.settings_test $(BIN)/practica makemigrations --check --dry-run

test-unit: $(STAMP)
	$(BIN)/pytest -n 2 -m "not browser" -q --durations=20

## test-hostile: the hostile-input sweep alone, every GET route (SQLite, or DATABASE_URL)
test-hostile: $(STAMP)
	$(BIN)/pytest -p no:xdist -q practica/tests/test_hostile_input.py practica/tests/test_query_string.py

test-browser: $(STAMP) browser-deps
	$(BIN)/pytest -m browser -q -p no:xdist

## browser-deps: Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser)
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }
	@test -x /usr/bin/chromium || { echo "Chromium is missing: the browser tests cannot run." >&2; exit 1; }

## bench-similar: import 50,000 generated questions and time the similar-questions lookup
## (on SQLite by default; set DATABASE_URL to measure PostgreSQL)
bench-similar: $(STAMP)
	$(BIN)/python -m practica.search.bench_similar --questions 50000

## bench-similar-quality: MAP, MRR, P@1 and nDCG@10 of similar questions on a labelled set of
## lay questions (dev and held-out parts) against plain BM25 on titles; SQLite by default,
## DATABASE_URL for PostgreSQL (BENCH_QUALITY_ARGS="--errors dev" lists the dev misses)
bench-similar-quality: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.search.bench_similar_quality $(BENCH_QUALITY_ARGS)

## bench-search: 100,000 threads and 1,000,000 posts, index build time and latency of 200 mixed searches
## (SQLite by default; set DATABASE_URL for PostgreSQL; BENCH_SEARCH_ARGS="--threads 10000 --posts 100000" to scale down)
bench-search: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.search.bench_search $(BENCH_SEARCH_ARGS)

## bench-import: practica import-threads of 10,000 threads / 100,000 posts of ~1,900 characters by
## 2,000 members, then the same file again and practica reindex, in threads/s, posts/s and entries/s
## (SQLite by default; set DATABASE_URL for PostgreSQL; BENCH_IMPORT_ARGS="--threads 1000 --posts 10000")
bench-import: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.conversations.bench_import $(BENCH_IMPORT_ARGS)

## bench-queue: 30 members replying about once a second each with one worker running: tasks/s of
## each kind and the lag between a reply and its search entry (SQLite; set DATABASE_URL for PostgreSQL)
bench-queue: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.bench_queue $(BENCH_QUEUE_ARGS)

## bench-insights: 100,000 threads and 1,000,000 posts, rollup time for a day and a year, dashboard median/p95
## (SQLite by default; set DATABASE_URL for PostgreSQL; BENCH_INSIGHTS_ARGS="--threads 10000 --posts 100000" to scale down)
bench-insights: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.insights.bench_insights $(BENCH_INSIGHTS_ARGS)

## bench-pages: requests per second of the main pages, visitors and members, on the demo
bench-pages: $(STAMP)
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk; else sudo apt-get install -y -qq wrk; fi; }
	PRACTICA_DEMO=1 $(BIN)/practica migrate --no-input -v 0
	PRACTICA_DEMO=1 $(BIN)/practica collectstatic --no-input -v 0
	PRACTICA_DEMO=1 $(BIN)/practica seed-demo >/dev/null
	PRACTICA_DEMO=1 $(BIN)/practica bench-pages

## bench-api: req/s and p50/p99 of the thread list and detail API endpoints with a token,
## beside the same HTML pages, on the demo
bench-api: $(STAMP)
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk; else sudo apt-get install -y -qq wrk; fi; }
	PRACTICA_DEMO=1 $(BIN)/practica migrate --no-input -v 0
	PRACTICA_DEMO=1 $(BIN)/practica collectstatic --no-input -v 0
	PRACTICA_DEMO=1 $(BIN)/practica seed-demo >/dev/null
	PRACTICA_DEMO=1 $(BIN)/practica bench-api

## bench-guard: precision and recall of the patient-data guard on its labelled corpus
## (dev and held-out parts; BENCH_GUARD_ARGS="--errors dev" lists what it gets wrong)
bench-guard: $(STAMP)
	$(BIN)/python -m practica.privacy.bench_guard $(BENCH_GUARD_ARGS)

## bench-portability: export and import a community of 10,000 threads and 100,000 posts;
## prints rows/s and posts/s (SQLite by default; set DATABASE_URL for PostgreSQL;
## BENCH_PORTABILITY_ARGS="--threads 1000 --posts 10000" to scale down)
bench-portability: $(STAMP)
	DEBUG=1 $(BIN)/practica migrate --no-input -v 0
	$(BIN)/python -m practica.portability.bench $(BENCH_PORTABILITY_ARGS)

## lock: re-pin every dependency from pyproject.toml (overrides.txt leaves out what a
## package asks for and Practica never runs: the embedding model's PyTorch stack)
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --override overrides.txt -o requirements.lock

clean-demo:
	rm -rf var
