"""A city deployment on a real Airflow (`make airflow` with GRIDPULSE_DEPLOYMENT): `make trigger`
and `make backfill` take DISTRICT=, the UI lists each district's DAG by its name, the rollup is
not left paused, and a district's run waits for its export saying which folder it looks in.

No export is in the landing folders: the subject is which DAG the commands reach and what the
waiting run says, not a month's figures (test_districts.py runs a city's months).
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest
from test_airflow_server import _free_port, _wait_healthy

from conftest import PERIOD, PROJECT_DIR

pytestmark = [pytest.mark.airflow]

CITY = PROJECT_DIR / "include" / "config" / "deployments" / "xinyu.yml"
YUSHUI, FENYI = "360502", "360521"


@pytest.fixture(scope="module")
def city_airflow(tmp_path_factory):
    from gridpulse.orchestration import airflow_local
    from gridpulse.orchestration.airflow_api import AirflowApi

    root = tmp_path_factory.mktemp("city-airflow")
    port = _free_port()
    env = airflow_local.airflow_env(root / "airflow", port) | {
        "GRIDPULSE_DEPLOYMENT": str(CITY), "GRIDPULSE_SOURCE_DIR": str(root / "landing"),
        "GRIDPULSE_DATA_DIR": str(root / "data"), "GRIDPULSE_OUTPUT_DIR": str(root / "output")}
    for name in ("GRIDPULSE_WAREHOUSE", "GRIDPULSE_CONFIG", "GRIDPULSE_DISTRICT"):
        env.pop(name, None)
    log = open(root / "airflow.log", "wb")  # noqa: SIM115 (the server writes it until the fixture stops it)
    server = subprocess.Popen([sys.executable, "-m", "gridpulse.orchestration.airflow_local", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
    started = []
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server, timeout=600)
        started = psutil.Process(server.pid).children(recursive=True)
        api = AirflowApi(f"http://127.0.0.1:{port}", "admin", airflow_local.admin_password(root / "airflow"))
        yield {"api": api, "env": env, "port": port, "root": root}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(90)
        psutil.wait_procs(started, timeout=30)
        log.close()


def _make(city_airflow, *args: str) -> subprocess.CompletedProcess:
    """`make -s <args>` against this Airflow, as an operator types it."""
    env = city_airflow["env"]
    return subprocess.run(["make", "-s", *args, f"AIRFLOW_PORT={city_airflow['port']}", f"AIRFLOW_HOME={env['AIRFLOW_HOME']}"],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)


def _dags_listed(api, timeout: float = 600) -> dict[str, dict]:
    """The deployment's DAGs as the UI lists them, once the DAG processor has parsed them all."""
    deadline = time.monotonic() + timeout
    while True:
        dags = {d["dag_id"]: d for d in api.call("GET", "/dags", params={"limit": 100})["dags"]}
        if len(dags) >= 4 or time.monotonic() > deadline:
            return dags
        time.sleep(3)


def _wait_for_the_sensor(api, dag: str, run_id: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while (state := api.call("GET", f"/dags/{dag}/dagRuns/{run_id}/taskInstances/wait_for_export")["state"]) != "up_for_reschedule":
        assert time.monotonic() < deadline, f"wait_for_export is {state}"
        time.sleep(5)


def test_the_ui_lists_each_district_by_name_and_the_rollup_runs_unpaused(city_airflow):
    from gridpulse import config

    dags = _dags_listed(city_airflow["api"])
    assert dags["gridpulse_rollup"]["is_paused"] is False  # else it never runs when a district publishes
    assert dags["gridpulse_rollup"]["dag_display_name"] == "新余市（3605）汇总 / rollup"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRIDPULSE_DEPLOYMENT", str(CITY))
        for district in config.deployment().districts:
            shown = dags[f"gridpulse_monthly_{district.code}"]["dag_display_name"]
            assert shown == f"{district.name}（{district.code}）月度考核 / monthly assessment"


def test_make_trigger_without_a_district_names_the_districts_to_choose(city_airflow):
    _dags_listed(city_airflow["api"])
    done = _make(city_airflow, "trigger", f"PERIOD={PERIOD}", "TIMEOUT=10")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "This Airflow has no DAG gridpulse_monthly (it has " in done.stderr
    assert f"choose a district: DISTRICT={YUSHUI}, DISTRICT={FENYI}" in done.stderr


def test_make_trigger_and_backfill_take_a_district(city_airflow):
    """Both reach the district's DAG; its runs wait for the export (none is there), naming the
    district's landing folder, and each run's note names the month it assesses."""
    from gridpulse import config

    api = city_airflow["api"]
    _dags_listed(api)
    dag = f"gridpulse_monthly_{YUSHUI}"
    triggered = _make(city_airflow, "trigger", f"PERIOD={PERIOD}", f"DISTRICT={YUSHUI}", "TIMEOUT=20")
    # it gave up waiting (exit 4, which make reports as its own error): the run waits on in Airflow
    assert "make: *** [Makefile" in triggered.stderr and "Error 4" in triggered.stderr, triggered.stdout + triggered.stderr
    assert f"run(s) of {dag} at" in triggered.stdout and f"Gave up waiting after 20 s (--timeout): manual__{PERIOD}__" in triggered.stderr
    backfilled = _make(city_airflow, "backfill", "FROM=2022-10", "TO=2022-10", f"DISTRICT={YUSHUI}", "TIMEOUT=10")
    assert "Backfill " in backfilled.stdout and "Error 4" in backfilled.stderr, backfilled.stdout + backfilled.stderr

    [manual] = [run["dag_run_id"] for run in api.runs(dag, run_type="manual")]
    assert manual.startswith(f"manual__{PERIOD}__")
    _wait_for_the_sensor(api, dag, manual)
    deadline = time.monotonic() + 600  # a run's note is written as the scheduler starts it
    while not all((runs := {run["run_type"]: run for run in api.runs(dag)}).get(kind, {}).get("note")
                  for kind in ("manual", "backfill")) and time.monotonic() < deadline:
        time.sleep(5)
    assert runs["manual"]["note"] == f"{PERIOD} 考核月 / assessed month {PERIOD}"
    assert runs["backfill"]["note"] == "2022-10 考核月 / assessed month 2022-10"
    waiting = "\n".join(api.task_log(runs["manual"]["dag_run_id"], "wait_for_export", dag))
    with pytest.MonkeyPatch.context() as patch:
        for key, value in city_airflow["env"].items():
            if key.startswith("GRIDPULSE_"):
                patch.setenv(key, value)
        folder = config.deployment().paths_of(YUSHUI).source / PERIOD
    assert f"Waiting for {PERIOD} export: {folder}/ does not exist yet" in waiting, waiting
