"""Failure alerts: which task failed, for which month, the error, and what to do.

Called with plain arguments so the DAG can wire it as on_failure_callback and a person can call it
by hand. An alert that cannot be sent is logged and recorded, never raised: the task's own failure
must stay the error Airflow reports.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from gridpulse import config
from gridpulse.connections import defined
from gridpulse.delivery import settings
from gridpulse.delivery.log import FAILED, SENT, SKIPPED, DeliveryLog
from gridpulse.delivery.mail import Recipient, SmtpServer, message
from gridpulse.delivery.robots import post
from gridpulse.quarantine import REPORT_TEXT

log = logging.getLogger(__name__)


def hint(task_id: str, values: dict) -> str:
    """The hint of the task, else of its group (a dbt model task 'dbt_build.stg_events_run' takes
    the hint of 'dbt_build'), else the default."""
    conf = settings.alerts()
    hints = conf.get("hints") or {}
    template = hints.get(task_id) or hints.get(task_id.split(".")[0]) or conf["default_hint"]
    return settings.render(template, **values)


def report_of(period: str, error: BaseException | str) -> str:
    """Where the failed month's report is: the one the error names (a rejected export), else the
    newest under the month's quarantine folder (quarantine/<period>/<export id>/), else that folder."""
    named = getattr(error, "report_path", None)
    if named:
        return str(named)
    folder = config.paths().quarantine / period
    reports = sorted(folder.glob(f"*/{REPORT_TEXT}"), key=lambda path: path.stat().st_mtime) if folder.is_dir() else []
    return str(reports[-1] if reports else folder)


@dataclass(frozen=True)
class Alert:
    subject: str
    facts: list[tuple[str, str]]   # (label, value): the task, the district and month, the error
    todo: str                      # what to do

    def markdown(self) -> str:
        """For the robots (DingTalk and WeCom render markdown)."""
        items = "".join(f"- {label}：{value}\n" for label, value in self.facts)
        return f"### {self.subject}\n\n{items}\n**处理办法**：{self.todo}\n"

    def text(self) -> str:
        """The email's plain part: readable as it is, no markup."""
        items = "".join(f"{label}：{value}\n" for label, value in self.facts)
        return f"{self.subject}\n\n{items}\n处理办法：{self.todo}\n"

    def html(self) -> str:
        rows = "".join(f"<tr><th align='left' valign='top'>{escape(label)}</th><td>{_html_value(value)}</td></tr>"
                       for label, value in self.facts)
        return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{escape(self.subject)}</title></head>"
                f"<body><h3>{escape(self.subject)}</h3><table>{rows}</table>"
                f"<p><strong>处理办法</strong>：{escape(self.todo)}</p></body></html>")


def _html_value(value: str) -> str:
    return escape(value).replace("\n", "<br>")


def alert(task_id: str, period: str, error: BaseException | str) -> Alert:
    """The alert of a failed task: subject (the district, month and task), facts and what to do."""
    paths = config.paths()
    values = settings.month_values(period) | {
        "task_id": task_id, "quarantine": paths.quarantine, "archive": paths.archive, "output": paths.output,
        "source": paths.source, "delivery_log": paths.delivery_log, "report": report_of(period, error)}
    error_text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    facts = [("任务", task_id), ("地区", values["district"]), ("考核月份", f"{values['month_zh']}（{values['period']}）"),
             ("错误", error_text[:1500])]
    return Alert(settings.render(settings.alerts()["subject"], **values), facts, hint(task_id, values))


def alert_text(task_id: str, period: str, error: BaseException | str) -> tuple[str, str]:
    """The subject and the markdown body (the robots') of an alert."""
    made = alert(task_id, period, error)
    return made.subject, made.markdown()


def send_failure_alert(task_id: str, period: str, error: BaseException | str) -> list[tuple[str, str, str]]:
    """Email the ops list and post to the ops robots; return (channel, recipient, status) of each."""
    conf = settings.alerts()
    made = alert(task_id, period, error)
    subject, body = made.subject, made.markdown()
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
        _email(conf["email"], made, record)
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


def _email(addresses: list[str], made: Alert, record) -> None:
    delivery = settings.delivery()
    try:
        server = SmtpServer(delivery["smtp_connection"], delivery["sender_name"], delivery.get("sender_email"))
    except Exception as exc:  # the server is unreachable: every address is recorded as failed
        for address in addresses:
            record("email", address, lambda e=exc: _raise(e))
        return
    try:
        for address in addresses:
            msg = message(server.sender, Recipient(address), made.subject, made.text(), [], f"alert:{made.subject}:{address}",
                          html=made.html())
            del msg["Message-ID"]  # every alert is its own message
            record("email", address, lambda m=msg, a=address: server.send(m, a))
    finally:
        server.close()


def _raise(exc: BaseException):
    raise exc
