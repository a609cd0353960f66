# Smart-City Portfolio — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
export PORTFOLIO_DATABASE_URL ?= sqlite:///$(CURDIR)/data/portfolio.db

.PHONY: run test install install-dev lint typecheck pytest migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/portfolio db upgrade

# Loads the Bochum demo portfolio only into an empty database.
demo: migrate
	$(BIN)/portfolio demo --if-empty

run: demo
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

bench: install-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .mypy_cache .ruff_cache
