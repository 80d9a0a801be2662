# econsec: `make run` (set up, load the shipped data, serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest test-browser bench bench-env bench-screening clean

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
	$(BIN)/econsec protect lists load ofac data/screening/consolidated_non_sdn_2026-01-08.xml --skip-unchanged
	$(BIN)/econsec protect lists load meti-eul data/screening/jp_meti_end_user_list_2025-09-29.xlsx --skip-unchanged
	$(BIN)/econsec protect lists load mof data/screening/jp_mof_asset_freeze_list_2026-03-05.xlsx --skip-unchanged
	$(BIN)/econsec know io load wiod data/supply/wiod2013_2011 --name wiod2011
	$(BIN)/econsec know io load japan data/supply/io_japan_2011_13sector/iotable_13sector_2011_wider.csv --name japan2011
	$(BIN)/econsec know network load willems data/supply/willems2008/raw_msom/22.csv.gz --name willems_22
	$(BIN)/econsec know network load willems data/supply/willems2008/raw_msom/38.csv.gz --name willems_38
	$(BIN)/econsec users bootstrap-admin
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

# Only the browser tests: headless Debian chromium driven by Playwright (docs/testing.md).
test-browser: $(VENV)/.dev-installed
	$(BIN)/pytest tests/browser

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_load.py

# The screening benchmarks run in their own environment with nomenklatura (the logic-v2 baseline).
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml benchmarks/requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . -r benchmarks/requirements-bench.txt
	@touch $@

bench-env: $(BENCH_VENV)/.installed

bench-screening: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/screening_accuracy.py
	$(BENCH_VENV)/bin/python benchmarks/screening_speed.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .mypy_cache .ruff_cache .pytest_cache
