# make run: set up everything and serve the platform with demo data on http://127.0.0.1:$(PORT),
# with the job worker beside it (jobs stored in a SQLite file under the data folder); Ctrl-C stops both.
# make test: run the whole test suite (TEST_DATABASE_URL=postgresql://... runs it on PostgreSQL)
PORT ?= 5000
# The commands run here are a developer's: a random key of their own is kept in instance/secret_key.
export LMS_ENV ?= development
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-fast setup system-packages test-tools migrate courses demo clean keys catalogues translations

run: setup migrate keys
	$(FLASK) courses import
	$(FLASK) demo load --if-empty
	scripts/serve-with-worker $(BIN) $(PORT)

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with a database of its own; the browser
# and Redis tests stay together in one of them (tests/conftest.py). TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2

test: setup test-tools
	$(BIN)/bandit --quiet --recursive lms
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# A developer's quick loop: every test but the browser journeys.
test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -x

setup: system-packages $(VENV)/.installed catalogues

# The interface's catalogues: lms/translations/<locale>/LC_MESSAGES/messages.po are kept in the
# repository; their compiled .mo files are built here and never committed.
TRANSLATIONS := lms/translations
EXTRACT := $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --add-location=file --no-wrap --ignore-dirs=.*

catalogues: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

# make translations: extract every string a person reads into messages.pot and update each catalogue.
translations: $(VENV)/.installed
	$(EXTRACT) -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap --ignore-obsolete

system-packages:
	@scripts/ensure-system-packages

# Browser tests drive Debian's Chromium and inject axe-core from the npm registry.
test-tools: node_modules/.installed
	@scripts/ensure-system-packages chromium
	@command -v npm >/dev/null || scripts/ensure-system-packages nodejs npm

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || scripts/ensure-system-packages nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

migrate: setup
	@mkdir -p instance
	$(FLASK) db upgrade

courses: setup
	$(FLASK) courses import

# Development signing keys (credentials and PDFs), created once under instance/data/keys, owner-only.
keys: setup
	$(FLASK) keys init

demo: setup migrate
	$(FLASK) demo load --reset

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules

# make bench: the load benchmark (not part of make test): PostgreSQL filled at ten times the programme's
# scale, served by gunicorn, driven by wrk; prints the table and writes it to docs/benchmarks.md.
.PHONY: bench
bench: setup
	@scripts/ensure-system-packages wrk
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "PostgreSQL is not answering; starting it."; \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n 1)" main start; \
	  for _ in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	$(BIN)/python -m benchmarks.run

.PHONY: bench-certificates
bench-certificates: setup
	$(BIN)/python -m benchmarks.certificates

# make bench-profile: each main page's worker CPU per request and, with PROFILE_TOP=40, where it goes (cProfile).
.PHONY: bench-profile
bench-profile: setup
	$(BIN)/python -m benchmarks.profile

# make faults: the fault suite (not part of make test): gunicorn behind nginx on a throwaway PostgreSQL
# cluster of its own, with a small tmpfs as the data folder, under slow links, a database restart, kill -9,
# a full disk and simultaneous submits, then SQLite under concurrent use; prints the table and writes it
# to docs/faults.md. Needs root (the tmpfs and the throwaway cluster's owner).
.PHONY: faults
faults: setup
	@scripts/ensure-system-packages nginx
	$(BIN)/python -m faults.run
# make bench-jobs: how long each periodic job takes on PostgreSQL at ten times the programme's scale.
.PHONY: bench-jobs
bench-jobs: setup
	$(BIN)/python -m benchmarks.jobs
