"""Each run's note names the month it assesses (gridpulse.orchestration.run_notes), the rollup's
too: a run that districts' publications triggered assesses the month their asset events carry."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from gridpulse.orchestration.run_notes import month_note, on_dag_run_running


def _run(dag_id: str, run_type: str, conf=None, events=(), interval=None, note=None) -> SimpleNamespace:
    return SimpleNamespace(dag_id=dag_id, run_id=f"{run_type}__x", run_type=run_type, conf=conf or {}, note=note,
                           data_interval_start=interval, consumed_asset_events=[SimpleNamespace(extra=e) for e in events])


def _noted(run: SimpleNamespace) -> str | None:
    on_dag_run_running(dag_run=run, msg="")
    return run.note


def test_a_rollup_run_is_noted_with_the_month_its_districts_published():
    published = [{"period": "2022-11"}, {"period": "2022-11"}, None]
    assert _noted(_run("gridpulse_rollup", "asset_triggered", events=published)) == month_note("2022-11")


def test_publications_of_two_months_leave_the_note_to_the_operator():
    run = _run("gridpulse_rollup", "asset_triggered", events=[{"period": "2022-10"}, {"period": "2022-11"}],
               interval=datetime(2026, 12, 7, tzinfo=UTC))
    assert _noted(run) is None  # never a month guessed from the day it ran


def test_a_period_given_wins_and_a_written_note_is_kept():
    assert _noted(_run("gridpulse_rollup", "manual", conf={"period": "2022-09"})) == month_note("2022-09")
    assert _noted(_run("gridpulse_monthly_360502", "manual", conf={"period": "2022-09"}, note="补跑")) == "补跑"
    assert _noted(_run("other_dag", "manual", conf={"period": "2022-09"})) is None
