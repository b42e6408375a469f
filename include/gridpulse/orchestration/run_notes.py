"""The assessed month on every run of a month's DAG, where the UI shows it: the run's note.

Airflow names runs after when they were made (a backfill's after its run day, a UI trigger after
its logical date, whatever `period` it was given), and its UI has no other name for a run. So a
listener (plugins/gridpulse_timetables.py) writes the month into the note of each run of a
gridpulse DAG as the scheduler starts it: `2022-11 考核月 / assessed month 2022-11`. The month is
the one resolve_period will take: the `period` the run was triggered with, else the month the
districts' publications that triggered it carry (the rollup), else its data interval.
A note someone wrote already is kept.
"""
from __future__ import annotations

import logging

from airflow.listeners import hookimpl

log = logging.getLogger(__name__)
MONTH_DAGS = ("gridpulse_monthly", "gridpulse_rollup")  # and gridpulse_monthly_<district code>


def month_note(month: str) -> str:
    return f"{month} 考核月 / assessed month {month}"


def run_month(conf: dict | None, data_interval_start, asset_events=None) -> str | None:
    """The month a run assesses, as resolve_period will see it; None when it cannot know yet.

    A run triggered by districts' publications (the rollup's) assesses the month their asset events
    carry; where they carry none or several, the note is left to the operator rather than guessed."""
    import pendulum

    from gridpulse.orchestration.schedule import assessed_month

    period = (conf or {}).get("period")
    if period:
        return str(period)
    if asset_events is not None:
        months = {(event.extra or {}).get("period") for event in asset_events} - {None}
        return months.pop() if len(months) == 1 else None
    # the scheduler's run carries a plain datetime (UTC), a task's a pendulum one
    return assessed_month(pendulum.instance(data_interval_start)) if data_interval_start is not None else None


@hookimpl
def on_dag_run_running(dag_run, msg: str) -> None:
    """Called in the scheduler as a run starts, inside its session: the note is saved with the run."""
    if not dag_run.dag_id.startswith(MONTH_DAGS) or dag_run.note:
        return
    try:
        from_assets = dag_run.run_type == "asset_triggered"
        month = run_month(dag_run.conf, dag_run.data_interval_start,
                          list(dag_run.consumed_asset_events) if from_assets else None)
        if month:
            dag_run.note = month_note(month)
    except Exception:  # a note is a courtesy: never let it stop the scheduler
        log.exception("could not write the assessed month into the note of %s", dag_run.run_id)
