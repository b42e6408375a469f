"""The DAG's failure callback: tell the people who run the month what failed and what to do.

Airflow calls it with the task's context when a task has failed for good (after its retries).
The message and where it goes are gridpulse.delivery.alerts' business; this only reads the
context. It never raises: a broken alert channel must not hide the task's own failure.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def failed_month(context) -> str | None:
    """The assessed month of the failed run, as resolve_period worked it out."""
    params = context.get("params") or {}
    if params.get("period"):
        return params["period"]
    try:
        return context["ti"].xcom_pull(task_ids="resolve_period")
    except Exception:  # resolve_period itself failed
        from gridpulse.orchestration.schedule import assessed_month

        interval = context.get("data_interval_start")
        return assessed_month(interval) if interval else None


def on_task_failure(context) -> None:
    ti = context["ti"]
    error = context.get("exception") or "unknown error"
    period = failed_month(context)
    # the cause first, in one line, before any traceback or alert detail
    log.error("FAILED %s for %s / 任务失败: %s: %s", ti.task_id, period,
              type(error).__name__ if isinstance(error, BaseException) else "error", error)
    try:
        from gridpulse.delivery.alerts import send_failure_alert

        for channel, recipient, status in send_failure_alert(task_id=ti.task_id, period=period, error=error):
            log.error("alert %s %s: %s / 告警", channel, recipient, status)
    except Exception:
        log.exception("the failure alert for %s could not be sent", ti.task_id)
