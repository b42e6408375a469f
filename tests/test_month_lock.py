"""One month at a time per deployment, tested with real processes (`python -m gridpulse run`).

A run killed while it held the deployment leaves a stale claim, which the next run takes over; a
second run started while the first works refuses at once, naming the holder in Chinese and English;
a third that asks to wait runs after the first. What is published equals a single run's."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from gridpulse import month_lock

from conftest import PERIOD
from runs import published_state, run_workspace


def _run(env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gridpulse", "run", "--period", PERIOD, *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=1800)
    return process.returncode, out + err


def _wait_until_held_by(pid: int, timeout: float = 120) -> month_lock.Holder:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = month_lock.current_holder()
        if holder and holder.pid == pid:
            return holder
        time.sleep(0.2)
    raise AssertionError(f"process {pid} never claimed the deployment")


@pytest.mark.month
def test_two_runs_of_a_month_at_once_publish_what_one_run_publishes(small_month, uninterrupted_run, tmp_path, monkeypatch):
    single_run = uninterrupted_run
    env = run_workspace(tmp_path / "together", small_month, monkeypatch)
    killed = _run(env | {"GRIDPULSE_DIE_AT": "after_archive"})
    killed.wait(600)
    assert killed.returncode == -signal.SIGKILL
    stale = month_lock.current_holder()
    assert stale is not None and stale.pid == killed.pid  # the dead run's claim is still there

    first = _run(env)
    holder = _wait_until_held_by(first.pid)  # taken over from the dead process
    assert holder.kind == month_lock.PROCESS and holder.period == PERIOD
    time.sleep(4)  # as an operator would, a few seconds later
    refused_code, refused = _finished(_run(env))
    waiting = _run(env, "--wait", "1800")

    assert refused_code == 3, refused
    assert f"process {first.pid}" in refused and "另一次运行正在处理 2022-11 月" in refused
    assert f"since {month_lock.local_time(holder.since)}" in refused
    assert "Traceback" not in refused

    first_code, first_output = _finished(first)
    assert first_code == 0, first_output[-3000:]
    assert published_state() == single_run  # the refused run touched nothing of the first one's

    waited_code, waited_output = _finished(waiting)
    assert waited_code == 0, waited_output[-3000:]
    assert f"process {first.pid}" in waited_output and "waiting up to 1800 s" in waited_output
    assert published_state() == single_run
    assert month_lock.current_holder() is None
    assert json.loads(month_lock.lock_path().read_text() or "null") is None


def test_an_airflow_run_s_claim_holds_while_the_run_runs_and_is_taken_over_after(workspace):
    import pytest

    from gridpulse.orchestration.claim import claim_for_run, release_for_run

    assert month_lock.claim(month_lock.airflow_holder("2022-10", "manual__2022-10__20261202T040000")) is None
    assert not claim_for_run(PERIOD, "gridpulse_monthly", "backfill__2022-11__x", lambda dag, run: "running")
    # the CLI cannot ask Airflow: it refuses
    with (pytest.raises(month_lock.MonthBusy, match="Airflow run manual__2022-10__20261202T040000"),
          month_lock.holding(PERIOD, "python -m gridpulse run")):
        pass
    # the holding run was marked failed in the UI and never reached release_deployment
    assert claim_for_run(PERIOD, "gridpulse_monthly", "backfill__2022-11__x", lambda dag, run: "failed")
    assert month_lock.current_holder().run_id == "backfill__2022-11__x"
    assert claim_for_run(PERIOD, "gridpulse_monthly", "backfill__2022-11__x", lambda dag, run: "running")  # a retry
    release_for_run(PERIOD, "backfill__2022-11__x")
    assert month_lock.current_holder() is None


def _dag_run_states():
    from airflow.sdk.api.datamodels._generated import DagRunState as TaskSdkState
    from airflow.utils.state import DagRunState as CoreState

    return [CoreState, TaskSdkState, None]  # None: the state as the REST API's text


@pytest.mark.parametrize("states", _dag_run_states(), ids=["airflow.utils.state", "task SDK", "text"])
def test_a_running_run_keeps_its_claim_whatever_type_airflow_gives_its_state(workspace, states, caplog):
    """The task SDK's DagRunState prints as "DagRunState.RUNNING": the claim compares its value."""
    from gridpulse.orchestration.claim import claim_for_run

    def state(name: str):
        return states(name) if states else name

    holder = "manual__2022-10__20261202T040000"
    assert claim_for_run("2022-10", "gridpulse_monthly", holder, lambda dag, run: None)
    for live in ("queued", "running"):
        with caplog.at_level("INFO", logger="gridpulse.orchestration.claim"):
            assert not claim_for_run(PERIOD, "gridpulse_monthly", "manual__2022-11__y", lambda dag, run, live=live: state(live))
        assert month_lock.current_holder().run_id == holder
    assert f"Waiting: Airflow run {holder}" in caplog.text
    assert claim_for_run(PERIOD, "gridpulse_monthly", "manual__2022-11__y", lambda dag, run: state("success"))
    assert month_lock.current_holder().run_id == "manual__2022-11__y"
