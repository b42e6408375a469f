"""The DAG folder imports cleanly, wires the month's steps, and parses without heavy imports."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import PROJECT_DIR

HEAVY_MODULES = ("pandas", "duckdb", "great_expectations", "dbt", "openpyxl", "gridpulse.validate")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "gridpulse_monthly" in dagbag.dags


def test_monthly_dag_assesses_the_data_interval_month(dagbag):
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags["gridpulse_monthly"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.max_active_runs == 1
    order = ["resolve_period", "wait_for_export", "archive", "validate", "load", "dbt_build", "publish"]
    assert set(order) == set(dag.task_ids)
    for upstream, downstream in zip(order[1:], order[2:]):
        assert upstream in dag.get_task(downstream).upstream_task_ids, f"{upstream} must run before {downstream}"


def test_dag_file_parses_without_heavy_imports():
    """The scheduler parses DAG files constantly: the work may import pandas & co, the file may not."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import gridpulse_monthly; "
        f"print('HEAVY:' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(PROJECT_DIR / "dags")], capture_output=True, text=True, check=True)
    report = next(line for line in done.stdout.splitlines() if line.startswith("HEAVY:"))
    assert report == "HEAVY:", f"heavy modules imported at parse time: {report}"
