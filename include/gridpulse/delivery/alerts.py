"""Failure alerts: which task failed, for which month, the error, and what to do.

Called with plain arguments so the DAG can wire it as on_failure_callback and a person can call it
by hand. An alert that cannot be sent is logged and recorded, never raised: the task's own failure
must stay the error Airflow reports.
"""
from __future__ import annotations

import logging

from gridpulse import config
from gridpulse.connections import defined
from gridpulse.delivery import settings
from gridpulse.delivery.log import FAILED, SENT, SKIPPED, DeliveryLog
from gridpulse.delivery.mail import Recipient, SmtpServer, message
from gridpulse.delivery.robots import post

log = logging.getLogger(__name__)


def hint(task_id: str, values: dict) -> str:
    """The hint of the task, else of its group (a dbt model task 'dbt_build.stg_events_run' takes
    the hint of 'dbt_build'), else the default."""
    conf = settings.alerts()
    hints = conf.get("hints") or {}
    template = hints.get(task_id) or hints.get(task_id.split(".")[0]) or conf["default_hint"]
    return settings.render(template, **values)


def alert_text(task_id: str, period: str, error: BaseException | str) -> tuple[str, str]:
    """The subject and the body (markdown that reads as plain text too) of an alert."""
    paths = config.paths()
    values = settings.month_values(period) | {
        "task_id": task_id, "quarantine": paths.quarantine, "archive": paths.archive, "output": paths.output,
        "source": paths.source, "delivery_log": paths.delivery_log}
    subject = settings.render(settings.alerts()["subject"], **values)
    error_text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    body = (f"### {subject}\n\n- 任务：{task_id}\n- 考核月份：{values['month_zh']}（{values['period']}）\n"
            f"- 错误：{error_text[:1500]}\n\n**处理办法**：{hint(task_id, values)}\n")
    return subject, body


def send_failure_alert(task_id: str, period: str, error: BaseException | str) -> list[tuple[str, str, str]]:
    """Email the ops list and post to the ops robots; return (channel, recipient, status) of each."""
    conf = settings.alerts()
    subject, body = alert_text(task_id, period, error)
    journal = DeliveryLog(config.paths().delivery_log)
    outcomes = []

    def record(channel: str, recipient: str, send) -> None:
        try:
            detail, status = send(), SENT
        except Exception as exc:
            detail, status = repr(exc), FAILED
            log.error("alert to %s %s not sent: %s", channel, recipient, exc)
        journal.record_alert(period, task_id, channel, recipient, status, detail)
        outcomes.append((channel, recipient, status))

    def skip(channel: str, recipient: str, conn_id: str) -> None:
        detail = f"no Airflow connection `{conn_id}`"
        journal.record_alert(period, task_id, channel, recipient, SKIPPED, detail)
        outcomes.append((channel, recipient, f"{SKIPPED}: {detail}"))

    smtp = settings.delivery()["smtp_connection"]
    if conf.get("email") and defined(smtp):
        _email(conf["email"], subject, body, record)
    elif conf.get("email"):  # a channel without a connection is off: say so, never fail on it
        for address in conf["email"]:
            skip("email", address, smtp)
    for kind in ("dingtalk", "wecom"):
        for conn_id in conf.get(kind) or []:
            if not defined(conn_id):
                skip(kind, conn_id, conn_id)
                continue
            record(kind, conn_id, lambda k=kind, c=conn_id: post(k, c, subject, body, settings.delivery()["robots"]))
    return outcomes


def _email(addresses: list[str], subject: str, body: str, record) -> None:
    delivery = settings.delivery()
    try:
        server = SmtpServer(delivery["smtp_connection"], delivery["sender_name"], delivery.get("sender_email"))
    except Exception as exc:  # the server is unreachable: every address is recorded as failed
        for address in addresses:
            record("email", address, lambda e=exc: _raise(e))
        return
    try:
        for address in addresses:
            msg = message(server.sender, Recipient(address), subject, body, [], f"alert:{subject}:{address}")
            del msg["Message-ID"]  # every alert is its own message
            record("email", address, lambda m=msg, a=address: server.send(m, a))
    finally:
        server.close()


def _raise(exc: BaseException):
    raise exc
