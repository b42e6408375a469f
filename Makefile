# Grid Pulse. `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= 2022-11
TIMEOUT ?= 3600

# Airflow keeps its metadata DB and logs inside the project; examples off, DAGs from dags/.
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DEFAULT_TIMEZONE := Asia/Shanghai
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__COSMOS__CACHE_DIR := $(AIRFLOW_HOME)/cosmos
export DO_NOT_TRACK := 1

.PHONY: venv demo demo-city test check bench sql docs dashboard airflow airflow-db trigger backfill connections clean help

help:
	@echo "make demo   install, generate the demo month $(PERIOD), run the DAG end to end, print the outputs"
	@echo "make demo-city  the same for a city of 3 districts on two platforms (CITY=$(CITY)), and its rollup"
	@echo "make test   install and run the tests"
	@echo "make check  lint (ruff, sqlfluff) and the fast tests, no month run (about a minute)"
	@echo "make bench  district, city and province months through the pipeline: time and memory per step (docs/benchmark.md)"
	@echo "make sql    read-only SQL shell on the published warehouse (docs/analysts.md)"
	@echo "make docs   dbt docs and the export's validation suites into output/docs/ (open output/docs/dbt/static_index.html)"
	@echo "make dashboard [DASHBOARD_PORT=8050]  the trends page for leaders on http://127.0.0.1:8050/, read-only"
	@echo "make airflow                   a real Airflow on 127.0.0.1:8080 (Ctrl-C stops it)"
	@echo "make trigger PERIOD=2022-11    run a month on that Airflow through its REST API (TIMEOUT=3600 s; DISTRICT=<code> in a deployment)"
	@echo "make backfill FROM=.. TO=..    backfill months on that Airflow (DISTRICT=<code> in a deployment)"
	@echo "make connections               which Airflow connection each delivery, alert and export channel uses, and where it is"

$(STAMP): requirements.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	# include/ on the venv's path: `python -m gridpulse` and the DAGs import the package from the repo
	$(BIN)/python -c 'import site, sys; open(site.getsitepackages()[0] + "/gridpulse.pth", "w").write(sys.argv[1] + "\n")' $(CURDIR)/include
	touch $(STAMP)

venv: $(STAMP)

# A real Airflow on loopback (scheduler, API server, DAG processor, triggerer): SQLite, LocalExecutor.
AIRFLOW_PORT ?= 8080
airflow: venv
	$(BIN)/python -m gridpulse.orchestration.airflow_local --port $(AIRFLOW_PORT)

# Against the Airflow `make airflow` runs: one month, or months FROM..TO, through the REST API.
# In a deployment of several districts, DISTRICT=<code> names the district's DAG.
AIRFLOW_API := $(BIN)/python -m gridpulse.orchestration.airflow_api --url http://127.0.0.1:$(AIRFLOW_PORT) --timeout $(TIMEOUT) \
	$(if $(DISTRICT),--district $(DISTRICT))
trigger: venv
	$(AIRFLOW_API) trigger --period $(PERIOD)

backfill: venv
	@test -n "$(FROM)" -a -n "$(TO)" || (echo "usage: make backfill FROM=2022-09 TO=2022-11 [DISTRICT=<code>]"; exit 2)
	$(AIRFLOW_API) backfill --from $(FROM) --to $(TO)

# Connections are read as tasks read them: a secrets backend, AIRFLOW_CONN_<ID>, then the metadata DB
# of AIRFLOW_HOME (above); add one with `AIRFLOW_HOME=$(AIRFLOW_HOME) $(BIN)/airflow connections add ...`.
connections: venv
	@$(BIN)/python -m gridpulse connections

airflow-db: venv
	@mkdir -p $(AIRFLOW_HOME)/logs
	@echo "Airflow's metadata DB: $(AIRFLOW_HOME) (log: $(AIRFLOW_HOME)/logs/airflow-db.log)"
	@$(BIN)/python -m gridpulse.orchestration.airflow_local --prepare-only > $(AIRFLOW_HOME)/logs/airflow-db.log 2>&1 \
		|| (tail -20 $(AIRFLOW_HOME)/logs/airflow-db.log; exit 1)

# A short line per step on the terminal; Airflow's full log goes to the file it names.
demo: venv airflow-db
	@echo "Demo export of $(PERIOD): $$($(BIN)/python -m gridpulse.demo --period $(PERIOD) --out data/landing)"
	@GRIDPULSE_DELIVERY=off $(BIN)/python -m gridpulse.orchestration.airflow_run --period $(PERIOD)

# A city: each district's demo month, each district's DAG, then the rollup's DAG.
CITY ?= include/config/deployments/xinyu.yml
demo-city: venv airflow-db
	@GRIDPULSE_DEPLOYMENT=$(CITY) $(BIN)/python -m gridpulse.demo --deployment $(CITY) --period $(PERIOD)
	@GRIDPULSE_DEPLOYMENT=$(CITY) GRIDPULSE_DELIVERY=off $(BIN)/python -m gridpulse.orchestration.airflow_run --period $(PERIOD)

# Three workers on two cores: a worker waiting on a real Airflow, PostgreSQL or another worker's
# shared fixture leaves its core to the others (docs/testing.md, Three workers).
test: venv
	$(BIN)/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder

# The fast tier: lint, and every test that runs no month through the pipeline and starts no
# Airflow (pyproject.toml, markers). Run it on every change; `make test` before a merge.
FAST := not month and not airflow and not external
check: venv
	$(BIN)/ruff check include dags plugins tests benchmarks tools
	$(BIN)/sqlfluff lint dbt_project --processes 2
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "$(FAST)"

# Not part of `make test`: speed and memory are measured here, never asserted in a test.
bench: venv
	$(BIN)/python -u benchmarks/bench.py

# The published warehouse, opened read-only: a write is refused (docs/analysts.md).
sql: venv
	@$(BIN)/python -m gridpulse sql

docs: venv
	$(BIN)/python -m gridpulse.docs_site

# The last 12 months of the published warehouse as a web page on loopback, read-only (Ctrl-C stops it).
DASHBOARD_PORT ?= 8050
dashboard: venv
	@$(BIN)/python -m gridpulse.dashboard.server --port $(DASHBOARD_PORT)

clean:
	rm -rf data output .airflow
