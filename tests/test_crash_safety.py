"""Kill the run (SIGKILL, a real process kill) at every stage boundary, inside publishing and in
the middle of the dbt build; run it again; the marts and the outputs are then exactly those of a
run that was never interrupted.

The kills are chained, as a bad night would chain them: each run is killed at the next point and
the next run starts from what the killed one left behind; the last run is left to finish."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridpulse import config

from conftest import PERIOD
from runs import published_state, run_workspace

pytestmark = pytest.mark.month

# in the order a run reaches them; "mid_dbt" is a kill from outside while dbt is writing
KILL_POINTS = ["after_archive", "after_validate", "after_load", "mid_dbt", "after_transform",
               "publish_rendered", "publish_warehouse_swapped"]
DBT_WRITING = "OK created sql table model"


def _run(env: dict, log: Path, die_at: str | None = None) -> subprocess.Popen:
    """`python -m gridpulse run` in a process group of its own (so dbt, its child, dies with it)."""
    env = {k: v for k, v in env.items() if k != "GRIDPULSE_DIE_AT"}
    if die_at and die_at != "mid_dbt":
        env["GRIDPULSE_DIE_AT"] = die_at
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "gridpulse", "run", "--period", PERIOD], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _finish(process: subprocess.Popen, log: Path) -> None:
    process.wait()
    assert process.returncode == 0, log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _dbt_log() -> Path:
    building = config.paths().building
    return building.parent / f"dbt-{building.stem}" / "logs" / "dbt.log"


def _kill_when_dbt_writes(process: subprocess.Popen, log: Path, timeout: float = 900) -> None:
    """SIGKILL the run and its dbt child once dbt has built at least one table."""
    start = log.stat().st_size if log.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists():
            with open(log, "rb") as fh:
                fh.seek(start)
                if DBT_WRITING.encode() in fh.read():
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    return
        time.sleep(0.05)
    process.wait()
    raise AssertionError("dbt never started writing, or the run ended first")


def test_killed_runs_rerun_to_exactly_an_uninterrupted_run(small_month, uninterrupted_run, tmp_path, monkeypatch):
    log = tmp_path / "runs.log"
    env = run_workspace(tmp_path / "killed", small_month, monkeypatch)
    for point in KILL_POINTS:
        process = _run(env, log, point)
        if point == "mid_dbt":
            _kill_when_dbt_writes(process, _dbt_log())
        else:
            process.wait()
        assert process.returncode == -signal.SIGKILL, (point, process.returncode)
        paths = config.paths()
        if point != "publish_warehouse_swapped":  # until the swap, nothing of the month is published
            assert not (paths.output / PERIOD).exists(), point
            assert not paths.warehouse.exists(), point
        else:
            assert paths.warehouse.exists() and not (paths.output / PERIOD).exists()
    _finish(_run(env, log), log)
    assert published_state() == uninterrupted_run
    assert not list(config.paths().output.glob(".*")), "a staging folder was left behind"
