"""Two runs of the month at once on a real Airflow: the deployment takes one month at a time.

A real scheduler runs the DAG (LocalExecutor under `airflow standalone`, as `make airflow` runs it;
test_airflow_two_runs_celery.py: the scale-out layout, PostgreSQL metadata, a Celery worker taking
tasks from Redis, each component its own process). Two months triggered 5 s apart, then one month triggered twice 5 s
apart: every run ends published, the warehouse's marts are exactly what the CLI publishes running
the same months one after the other, and the run that came second says in its claim task's log
that it waits, naming the run that holds the deployment.

The months are small (a tenth of the demo's rows): the subject is how runs share the deployment.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import psutil
import pytest
from test_airflow_celery import MISSING, REDIS
from test_airflow_server import _free_port, _wait_healthy

from conftest import PERIOD, PROJECT_DIR, point_at
from exports import drop_month
from runs import mart_rows
from servers import airflow_metadata_url, scratch_database

pytestmark = [pytest.mark.airflow, pytest.mark.month]

OCTOBER = "2022-10"
RUN_TIMEOUT = 1500
STARTUP_TIMEOUT = 600  # a busy machine (a shared CI runner) starts Airflow's four components slowly


@pytest.fixture(scope="module")
def exports(small_month, tmp_path_factory) -> dict[str, Path]:
    from gridpulse.demo import generate

    return {OCTOBER: generate(OCTOBER, tmp_path_factory.mktemp("october"), scale=0.1), PERIOD: small_month}


def _workspace_env(root: Path, exports: dict[str, Path], env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) for a workspace under `root` whose source holds the exports."""
    for export in exports.values():
        drop_month(export, root / "landing")
    env = (env or dict(os.environ)) | {"GRIDPULSE_SOURCE_DIR": str(root / "landing"), "GRIDPULSE_DATA_DIR": str(root / "data"),
                                       "GRIDPULSE_OUTPUT_DIR": str(root / "output")}
    env.pop("GRIDPULSE_WAREHOUSE", None)
    return env


@pytest.fixture(scope="module")
def metadata_database():
    pytest.importorskip("psycopg2")
    with scratch_database("gridpulse_two_runs") as name:
        yield airflow_metadata_url(name)


@pytest.fixture(scope="module")
def executor() -> str:
    """`make airflow`'s LocalExecutor here; test_airflow_two_runs_celery.py runs the same tests on
    the Celery layout (a file of its own, so that `make test`'s workers run the two side by side)."""
    return "local"


@pytest.fixture(scope="module")
def airflow(request, executor, exports, tmp_path_factory):
    """A real Airflow with both months waiting in its landing folder; the API and its workspace."""
    from gridpulse.orchestration import airflow_local
    from gridpulse.orchestration.airflow_api import AirflowApi

    root = tmp_path_factory.mktemp(f"two-runs-{executor}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    if executor == "local":  # what `make airflow` runs
        env = _workspace_env(root, exports, airflow_local.airflow_env(root / "airflow", port))
        server = subprocess.Popen([sys.executable, "-m", "gridpulse.orchestration.airflow_local", "--port", str(port)],
                                  env=env, stdout=open(root / "airflow.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                                  cwd=PROJECT_DIR)
        started = []
        try:
            _wait_healthy(url, server, timeout=STARTUP_TIMEOUT)
            started = psutil.Process(server.pid).children(recursive=True)
            yield {"api": AirflowApi(url, "admin", airflow_local.admin_password(root / "airflow")), "root": root}
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(90)
            psutil.wait_procs(started, timeout=30)
        return
    if MISSING:
        pytest.skip(f"{MISSING}: the Celery layout needs PostgreSQL and Redis on loopback")
    database = request.getfixturevalue("metadata_database")
    queue = f"gridpulse-{uuid.uuid4().hex[:8]}"  # a queue of its own on a shared Redis
    env = _workspace_env(root, exports, airflow_local.airflow_env(root / "airflow", port, metadata=database))
    env |= {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0", "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + database,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue}
    airflow_local.prepare(env)
    components = airflow_local.start_components(
        env, [["api-server", "--port", str(port)], ["scheduler"], ["dag-processor"], ["triggerer"],
              ["celery", "worker", "--queues", queue, "--concurrency", "4"]], root / "logs")
    try:
        _wait_healthy(url, components[0], timeout=STARTUP_TIMEOUT)
        yield {"api": AirflowApi(url, "admin", "admin"), "root": root}
    finally:
        airflow_local.stop_components(components)


def _two_at_once(api, months: list[str]) -> list[str]:
    """Trigger the months' runs 5 s apart, as an operator clicking twice would; wait for both."""
    api.unpause()
    run_ids = []
    for month in months:
        if run_ids:
            time.sleep(5)
        run_ids.append(api.trigger(month))
    states = api.wait(run_ids, timeout=RUN_TIMEOUT)
    assert states == dict.fromkeys(run_ids, "success"), {run: [(task, "\n".join(api.task_log(run, task))[-2000:])
                                                                for task in api.failed_tasks(run)[:2]] for run in run_ids}
    from gridpulse.orchestration.run_notes import month_note

    assert [api.run(run)["note"] for run in run_ids] == [month_note(month) for month in months]  # beside each run in the UI
    return run_ids


def _in_claim_order(api, run_ids: list[str]) -> list[str]:
    """The runs in the order they held the deployment: the order they published."""
    def published_at(run_id: str) -> str:
        return api.call("GET", f"/dags/gridpulse_monthly/dagRuns/{run_id}/taskInstances/publish")["end_date"]

    return sorted(run_ids, key=published_at)


def _second_waited_for_first(api, first: str, second: str) -> None:
    waited = "\n".join(api.task_log(second, "claim_deployment"))
    assert f"Waiting: Airflow run {first} " in waited, waited
    assert "本次运行已占用" in waited  # and then took it, once the first had released it
    took = "\n".join(api.task_log(first, "claim_deployment"))
    assert "Waiting:" not in took, took


def _cli_runs(root: Path, months: list[str]) -> dict[str, str]:
    """The marts after `python -m gridpulse run` of the months in this order, one at a time."""
    env = _workspace_env(root, {})
    for month in months:
        done = subprocess.run([sys.executable, "-m", "gridpulse", "run", "--period", month], env=env,
                              capture_output=True, text=True, cwd=PROJECT_DIR)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return mart_rows(root / "data" / "warehouse" / "gridpulse.duckdb")


def _month_of(run_id: str) -> str:
    return run_id.split("__")[1]


@pytest.fixture(scope="module")
def reference(airflow, exports, tmp_path_factory):
    """A workspace where the CLI runs months alone, one after the other (one for each Airflow)."""
    root = tmp_path_factory.mktemp("reference")
    patch = pytest.MonkeyPatch()
    point_at(patch, root)
    _workspace_env(root, exports)
    yield root
    patch.undo()


def test_two_months_triggered_5_s_apart_both_publish_what_runs_alone_publish(airflow, reference):
    api = airflow["api"]
    first, second = _in_claim_order(api, _two_at_once(api, [OCTOBER, PERIOD]))
    _second_waited_for_first(api, first, second)
    warehouse = airflow["root"] / "data" / "warehouse" / "gridpulse.duckdb"
    published = mart_rows(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as db:
        ranked = dict(db.execute("select period, count(*) from marts.rpt_ranking_monthly group by 1").fetchall())
    assert set(ranked) == {OCTOBER, PERIOD}, ranked  # neither month was lost
    assert published == _cli_runs(reference, [_month_of(first), _month_of(second)])


def test_one_month_triggered_twice_5_s_apart_publishes_what_one_run_publishes(airflow, reference):
    api = airflow["api"]
    first, second = _in_claim_order(api, _two_at_once(api, [PERIOD, PERIOD]))
    _second_waited_for_first(api, first, second)
    published = mart_rows(airflow["root"] / "data" / "warehouse" / "gridpulse.duckdb")
    assert published == _cli_runs(reference, [PERIOD])  # the reference ran both months before it
