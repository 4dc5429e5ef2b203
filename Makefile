# nitrolyte: two commands. `make run` builds the full report; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
REPORT ?= report

.PHONY: run test install install-dev browser postgresql lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The `ml` extra (CHGNet for --source ml) pins torch==2.13.0, the CPU wheel, in the same requirement set.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[ml,web]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,ml]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's chromium for the browser tests (playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will be skipped"; }

# Debian's PostgreSQL server for the store's PostgreSQL tests: the tests initialise a throw-away
# cluster in a temporary folder (as the postgres user when run as root), start it on a Unix
# socket and stop it afterwards; nothing is configured system-wide.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "warning: could not install postgresql; PostgreSQL tests will be skipped"; }

run: install
	$(BIN)/nitrolyte report --out $(REPORT)

test: install-dev browser postgresql
	$(BIN)/python -m pytest -q -n 2 --durations=30

lint: install-dev
	$(BIN)/ruff check src tests benchmarks

bench: install
	for f in benchmarks/*.py; do $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) $(REPORT) .pytest_cache
