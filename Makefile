# econsec: `make run` (set up, load the shipped data, serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "econsec needs Python 3.11 or newer (set PYTHON=python3.11)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/econsec db upgrade
	$(BIN)/econsec data load-manifest data/manifest.yaml
	$(BIN)/econsec serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check econsec tests benchmarks
	$(BIN)/ruff format --check econsec tests benchmarks

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy econsec

# pytest exits 5 when it collected no tests: that is a failure, said plainly.
pytest: $(VENV)/.dev-installed
	@$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "FAILED: pytest collected no tests" >&2; fi; \
	exit $$status

test: lint typecheck pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
