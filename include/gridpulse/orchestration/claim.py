"""The DAG run's claim on the deployment (gridpulse.month_lock), taken before its first write and
given back when it ends, however it ends.

A DAG run's tasks are separate processes, so the claim names the run, not a process. A claim held
by another run that Airflow no longer runs (failed, marked failed, succeeded without releasing) is
stale and taken over; one held by a live process (the CLI) or a running run makes this run wait.
"""
from __future__ import annotations

import logging

from gridpulse import month_lock

log = logging.getLogger(__name__)
ACTIVE_RUN_STATES = {"queued", "running"}


def claim_for_run(period: str, dag_id: str, run_id: str, run_state) -> bool:
    """Try to take the deployment for this run; `run_state(dag_id, run_id)` asks Airflow about
    another run. True once this run holds it; False (with the holder in the log) to try again."""
    present = month_lock.claim(month_lock.airflow_holder(period, run_id),
                               run_is_active=lambda other: state_name(run_state(dag_id, other)) in ACTIVE_RUN_STATES)
    if present is not None:
        since = month_lock.local_time(present.since)
        log.info("Waiting: %s holds the deployment for %s since %s; this run goes on when it has finished (claim %s) "
                 "/ 等待中：%s 自 %s 起正在处理 %s 月，其结束后本次运行继续", present.describe(), present.period, since,
                 month_lock.lock_path(), present.describe(), since, present.period)
        return False
    log.info("This run now holds the deployment for %s (claim %s) / 本次运行已占用 %s 月", period,
             month_lock.lock_path(), period)
    return True


def state_name(state) -> str:
    """A run's state as its plain name ("running"), whatever Airflow returns: the task SDK's
    DagRunState prints as "DagRunState.RUNNING", airflow.utils.state's as "running", the REST
    API gives text. Compared by str(), every live run looked finished and lost its claim."""
    return str(getattr(state, "value", state) or "").lower()


def release_for_run(period: str | None, run_id: str) -> None:
    if month_lock.release(month_lock.airflow_holder(period or "", run_id)):
        log.info("Released the deployment (claim %s) / 已释放", month_lock.lock_path())
    else:
        log.info("This run held no claim (it stopped before claiming, or a later run took over a stale one)")
