"""The scale-out layout of docker-compose.yml, run for real without Docker: Airflow's metadata in
PostgreSQL, the CeleryExecutor with a Celery worker taking tasks from Redis, each component its
own process, all on loopback. gridpulse_monthly runs 2022-11 on it, triggered through the REST API.

Skips, saying so, where PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not running.
"""
from __future__ import annotations

import os
import socket
import uuid

import duckdb
import pytest
from test_airflow_server import _free_port, _wait_healthy

from conftest import PERIOD
from exports import drop_month
from servers import POSTGRES, airflow_metadata_url, scratch_database

REDIS = (os.environ.get("GRIDPULSE_REDIS_HOST", "127.0.0.1"), int(os.environ.get("GRIDPULSE_REDIS_PORT", "6379")))


def _missing() -> str | None:
    for name, (host, port) in (("PostgreSQL", (POSTGRES["host"], POSTGRES["port"])), ("Redis", REDIS)):
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as error:
            return f"no {name} at {host}:{port} ({error})"
    return None


MISSING = _missing()
pytestmark = [pytest.mark.airflow, pytest.mark.month, pytest.mark.external,
              pytest.mark.skipif(MISSING is not None, reason=f"{MISSING}: the CeleryExecutor test needs PostgreSQL "
                                 "and Redis on loopback (GRIDPULSE_PG_HOST/PORT/USER, GRIDPULSE_REDIS_HOST/PORT)")]


@pytest.fixture
def metadata_database():
    pytest.importorskip("psycopg2")
    with scratch_database("gridpulse_airflow") as name:
        yield airflow_metadata_url(name)


def _townships(export) -> int:
    import pandas as pd

    return int((pd.read_excel(export / "组织机构.xlsx", dtype=str)["机构层级"] == "乡镇街道").sum())


# the subject is the executor, not the figures: the small month (a tenth of the demo's rows)
def test_the_month_runs_on_postgres_metadata_and_a_celery_worker(metadata_database, small_month, tmp_path):
    from gridpulse.orchestration import airflow_local
    from gridpulse.orchestration.airflow_api import AirflowApi

    drop_month(small_month, tmp_path / "landing")
    port, queue = _free_port(), f"gridpulse-{uuid.uuid4().hex[:8]}"  # a queue of its own on a shared Redis
    env = airflow_local.airflow_env(tmp_path / "airflow", port, metadata=metadata_database) | {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        # name the driver: SQLAlchemy 2.1 takes psycopg 3 for a bare postgresql:// URL
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_database,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # no login for this test's API calls
        "GRIDPULSE_SOURCE_DIR": str(tmp_path / "landing"), "GRIDPULSE_DATA_DIR": str(tmp_path / "data"),
        "GRIDPULSE_OUTPUT_DIR": str(tmp_path / "output"),
    }
    env.pop("GRIDPULSE_WAREHOUSE", None)
    airflow_local.prepare(env)
    components = airflow_local.start_components(
        env, [["api-server", "--port", str(port)], ["scheduler"], ["dag-processor"], ["triggerer"],
              ["celery", "worker", "--queues", queue, "--concurrency", "4"]], tmp_path / "logs")
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, components[0])
        api = AirflowApi(url, "admin", "admin")
        api.unpause()
        run_id = api.trigger(PERIOD)  # no scheduled run exists before its run day to hold it back
        state = api.wait([run_id], timeout=1500)[run_id]
        assert state == "success", f"failed tasks: {api.failed_tasks(run_id)}"
        tasks = api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances", params={"limit": 200})
        ran = [ti for ti in tasks["task_instances"] if ti["state"] == "success"]
        assert {ti["queue"] for ti in ran} == {queue}  # every task went through Redis to the worker
        assert {"archive", "load", "dbt_build.dbt_producer_watcher", "publish"} <= {ti["task_id"] for ti in ran}
    finally:
        airflow_local.stop_components(components)
    assert all(process.poll() is not None for process in components)
    with duckdb.connect(str(tmp_path / "data" / "warehouse" / "gridpulse.duckdb"), read_only=True) as db:
        assert db.execute(f"select count(*) from marts.rpt_ranking_monthly where period = '{PERIOD}'"
                      " and scheme_id = 'yushui_township_2022'").fetchone()[0] == _townships(small_month) > 0
    assert (tmp_path / "output" / PERIOD / "bulletin.pdf").exists()
