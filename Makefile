# Smart-City Portfolio — the two commands: `make run` and `make test`.
# Everything is installed from the committed lock (uv.lock) by uv, which is itself pinned and
# bootstrapped with the machine's python3; `make lock` refreshes the lock on purpose.
PYTHON     ?= python3
VENV       ?= .venv
TOOLS      ?= .tools
UV_VERSION := 0.13.9
BIN        := $(VENV)/bin
UV         := $(TOOLS)/bin/uv
HOST       ?= 127.0.0.1
PORT       ?= 8501
# The suite runs once more with the machine's clock this far ahead (libfaketime).
CLOCK_AHEAD ?= +365d
export PORTFOLIO_DATABASE_URL ?= sqlite:///$(CURDIR)/data/portfolio.db
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_LINK_MODE := copy
UV_SYNC := $(UV) sync --locked --python $(PYTHON) --quiet

.PHONY: run test install install-dev system-deps lint typecheck pytest pytest-clock-ahead \
        migrate demo bench lock clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV_SYNC) --no-dev --inexact
	touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV_SYNC)
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Refresh uv.lock to the newest versions pyproject.toml allows; review and commit the diff.
lock: | $(UV)
	$(UV) lock --upgrade --python $(PYTHON)

# chromium, libreoffice-calc, poppler-utils, faketime, fonts (see scripts/system-deps.sh).
system-deps:
	@bash scripts/system-deps.sh

migrate: install
	$(BIN)/portfolio db upgrade

# Loads the Bochum demo portfolio only into an empty database.
demo: migrate
	$(BIN)/portfolio demo --if-empty

run: demo
	$(BIN)/streamlit run streamlit_app.py --server.address $(HOST) --server.port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layer contracts in pyproject.toml

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev system-deps
	$(BIN)/pytest -n 2 --dist loadgroup --durations=10

# Nothing may read the wall clock behind portfolio.clock: the suite again (but the browser and the
# multi-process race tests), with the whole process tree (CLI subprocesses, LibreOffice) told by
# libfaketime that it is a year later. On SQLite only: a PostgreSQL server is a process of its own
# that libfaketime does not reach, so a second PostgreSQL run would check nothing more.
pytest-clock-ahead: install-dev system-deps
	PORTFOLIO_TEST_POSTGRES_URL= faketime -m -f "$(CLOCK_AHEAD)" \
	  $(BIN)/pytest -n 2 --dist loadgroup -m "not browser and not slow" -q -p no:cacheprovider

test: lint typecheck pytest pytest-clock-ahead

bench: install-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) test-artifacts .pytest_cache .mypy_cache .ruff_cache
