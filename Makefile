# Everything a fresh clone needs: `make run` and `make test`. Installs only from the package registries.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
DATA_DIR ?= data
QUARTER ?= 2025Q2
PEOPLE ?= 20000
SEED ?= 20250601
BENCH_DIR := $(abspath $(DATA_DIR))/bench
BENCH_PEOPLE ?= 750000

# uv must use this machine's Python, never download one; no telemetry from GX or dbt.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SATUDATA_DATA_DIR := $(abspath $(DATA_DIR))

.PHONY: setup browser run test ui synth bench-synth bench-ingest bench-pipeline clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

dbt_project/target/manifest.json: $(VENV)/.synced $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	cd dbt_project && ../$(VENV)/bin/dbt parse --quiet --profiles-dir .

setup: $(VENV)/.synced dbt_project/target/manifest.json  ## environment from the lock file, dbt manifest

# Debian's Chromium for the UI test, from the Debian package registry; Playwright never downloads a browser here.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

browser: $(CHROMIUM)  ## Debian's chromium for the browser test

synth: setup  ## generate the sample quarter
	$(VENV)/bin/satudata synth --quarter $(QUARTER) --people $(PEOPLE) --seed $(SEED)

run: synth  ## generate the sample quarter and run it through the Dagster job
	$(VENV)/bin/satudata run --quarter $(QUARTER)

ui: setup  ## the Dagster UI on 127.0.0.1:3000 over the same data dir (DAGSTER_HOME under it); Ctrl-C stops it
	$(VENV)/bin/satudata ui

# Two workers for the two cores; tests sharing a fixture stay on one worker (tests/conftest.py's xdist groups).
test: setup $(CHROMIUM)  ## the test suite, the browser test included
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --durations=25

bench-synth: setup  ## time and peak memory of `satudata synth` at ~1M source rows (median of 3 runs)
	$(VENV)/bin/python benchmarks/bench_synth.py --people $(BENCH_PEOPLE) --data-dir $(BENCH_DIR)

bench-ingest: setup  ## seconds per extract and peak memory of ingestion at ~1M source rows (median of 3 runs)
	test -f $(BENCH_DIR)/truth/2025Q2/summary.json || \
		$(VENV)/bin/satudata synth --quarter 2025Q2 --people $(BENCH_PEOPLE) --data-dir $(BENCH_DIR)
	$(VENV)/bin/python benchmarks/bench_ingest.py --data-dir $(BENCH_DIR)

# BENCH_SIZES=10000000,1000000 for issue 12 (10M: one run of 19 min, plus 10 min to generate it and 5 min for Splink alone and the blocking analysis; 1M: three runs).
BENCH_SIZES ?= 100000,1000000
bench-pipeline: setup  ## seconds and peak RSS per stage of the whole job and of Splink alone, per size (median of runs)
	$(VENV)/bin/python benchmarks/bench_pipeline.py --sizes $(BENCH_SIZES) --data-dir $(BENCH_DIR)/pipeline

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
	rm -rf $(SATUDATA_DATA_DIR)/dbt $(SATUDATA_DATA_DIR)/tmp
