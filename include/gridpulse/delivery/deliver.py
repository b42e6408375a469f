"""Deliver a published month: email to every listed address, markdown to every group robot.

Every message is claimed in the delivery log before it goes out and marked after, so a retried
delivery sends only what has not gone yet, and never the same bulletin to the same recipient twice.
A message whose outcome is unknown (the connection broke while the server answered, or the
process died) stays 'sending' and is reported, not re-sent, unless `resend_uncertain` is given.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gridpulse import config
from gridpulse.connections import defined
from gridpulse.delivery import settings
from gridpulse.delivery.log import FAILED, SENDING, SENT, DeliveryLog
from gridpulse.delivery.mail import Recipient, SmtpServer, message, recipients
from gridpulse.delivery.month import MonthPackage, attachment, month_package
from gridpulse.delivery.robots import RobotRefused, post
from gridpulse.period import Period

log = logging.getLogger(__name__)
ROBOT_KINDS = ("dingtalk", "wecom")


@dataclass
class DeliveryReport:
    bulletin_id: str
    sent: list[str] = field(default_factory=list)            # "channel:recipient" sent by this run
    already_sent: list[str] = field(default_factory=list)    # sent by an earlier run
    uncertain: list[str] = field(default_factory=list)       # outcome unknown, not re-sent
    failed: list[str] = field(default_factory=list)          # refused or unreachable, sent by a retry
    skipped: list[str] = field(default_factory=list)         # channel without a connection: not sent

    def __str__(self) -> str:
        return (f"{self.bulletin_id}: sent {len(self.sent)}, already sent {len(self.already_sent)}, "
                f"skipped (not configured) {len(self.skipped)}, outcome unknown {self.uncertain or 0}, "
                f"failed {self.failed or 0}")


class DeliveryFailed(RuntimeError):
    def __init__(self, report: DeliveryReport):
        super().__init__(f"投递未全部完成，重试只发送尚未送达的部分 (delivery incomplete): {report}")
        self.report = report


def _extra_files(extra: Mapping[str, Path | Iterable[Path]] | None) -> dict:
    return {code: [attachment(Path(p)) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
            for code, paths in (extra or {}).items()}


def _claimed(claim: str | None, key: str, report: DeliveryReport) -> bool:
    if claim == SENT:
        report.already_sent.append(key)
    elif claim == SENDING:
        report.uncertain.append(key)
        log.warning("%s: a run died while sending it; not sent again (use resend_uncertain to force)", key)
    return claim is None


def _email_all(package: MonthPackage, conf: dict, extras: dict, journal: DeliveryLog,
               report: DeliveryReport, resend_uncertain: bool) -> None:
    values = package.values()
    subject = settings.render(conf["email"]["subject"], **values)
    if not defined(conf["smtp_connection"]):
        for person in recipients(conf["orgs"], extras):
            _skip(journal, package, report, "email", person.address, person.orgs, conf["smtp_connection"])
        return
    server = None
    try:
        for person in recipients(conf["orgs"], extras):
            files = package.attachments + person.extras
            key = f"email:{person.address}"
            claim = journal.claim(package.bulletin_id, package.period, "email", person.address, person.orgs,
                                  {f.name: f.sha256 for f in files}, resend_uncertain)
            if not _claimed(claim, key, report):
                continue
            try:
                server = server or SmtpServer(conf["smtp_connection"], conf["sender_name"], conf.get("sender_email"))
            except Exception as exc:  # nothing was sent: the next try sends it
                journal.finish(package.bulletin_id, "email", person.address, FAILED, f"SMTP 连接失败: {exc}")
                raise
            _send_one(server, package, person, subject, values, files, journal, report, conf)
    finally:
        if server:
            server.close()


def _send_one(server: SmtpServer, package: MonthPackage, person: Recipient, subject: str, values: dict,
              files: list, journal: DeliveryLog, report: DeliveryReport, conf: dict) -> None:
    key = f"email:{person.address}"
    body = settings.render(conf["email"]["body"], **values, org_names="、".join(person.org_names),
                           extra_files="、".join(f.name for f in person.extras))
    msg = message(server.sender, person, subject, body, files, f"{package.bulletin_id}:{person.address}")
    try:
        answer = server.send(msg, person.address)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        # the server answered with a refusal: it did not take the message
        journal.finish(package.bulletin_id, "email", person.address, FAILED, repr(exc))
        report.failed.append(key)
        return
    except Exception as exc:
        # the connection broke while the server answered: it may have taken the message
        journal.finish(package.bulletin_id, "email", person.address, SENDING, f"outcome unknown: {exc!r}")
        report.uncertain.append(key)
        raise
    journal.finish(package.bulletin_id, "email", person.address, SENT, answer)
    report.sent.append(key)
    log.info("%s: sent, %d attachment(s) %s (%s)", key, len(files), ", ".join(f.name for f in files), answer)


def _robots(conf: dict) -> list[tuple[str, str, list[str]]]:
    """(kind, connection id, org codes) of every robot, each once."""
    robots: dict[tuple[str, str], list[str]] = {}
    for code, org in conf["orgs"].items():
        for kind in ROBOT_KINDS:
            for conn_id in org.get(kind) or []:
                robots.setdefault((kind, conn_id), []).append(code)
    return [(kind, conn_id, codes) for (kind, conn_id), codes in robots.items()]


def _post_all(package: MonthPackage, conf: dict, journal: DeliveryLog, report: DeliveryReport,
              resend_uncertain: bool) -> None:
    robot_conf = conf["robots"]
    values = package.values()
    title = settings.render(robot_conf["title"], **values)
    text = settings.render(robot_conf["markdown"], **values)
    files = {f.name: f.sha256 for f in package.attachments}
    for kind, conn_id, codes in _robots(conf):
        key = f"{kind}:{conn_id}"
        if not defined(conn_id):
            _skip(journal, package, report, kind, conn_id, codes, conn_id)
            continue
        if not _claimed(journal.claim(package.bulletin_id, package.period, kind, conn_id, codes, files,
                                      resend_uncertain), key, report):
            continue
        try:
            answer = post(kind, conn_id, title, text, robot_conf)
        except (RobotRefused, httpx.ConnectError, httpx.ConnectTimeout) as exc:
            journal.finish(package.bulletin_id, kind, conn_id, FAILED, repr(exc))
            report.failed.append(key)
            continue
        except Exception as exc:
            journal.finish(package.bulletin_id, kind, conn_id, SENDING, f"outcome unknown: {exc!r}")
            report.uncertain.append(key)
            continue
        journal.finish(package.bulletin_id, kind, conn_id, SENT, answer)
        report.sent.append(key)
        log.info("%s: posted (%s)", key, answer)


def _skip(journal: DeliveryLog, package: MonthPackage, report: DeliveryReport, channel: str, recipient: str,
          orgs: list[str], conn_id: str) -> None:
    """A channel whose Airflow connection does not exist is off: say so, record it, go on."""
    reason = f"未配置连接 {conn_id}，未发送 / skipped: no Airflow connection `{conn_id}` (docs/operations.md, Connections)"
    journal.skip(package.bulletin_id, package.period, channel, recipient, orgs, reason)
    report.skipped.append(f"{channel}:{recipient}")
    log.warning("%s:%s %s", channel, recipient, reason)


def deliver_month(month: Period, extra_attachments: Mapping[str, Path | Iterable[Path]] | None = None,
                  resend_uncertain: bool = False) -> DeliveryReport:
    """Send the published month to everyone in delivery.yml. `extra_attachments` maps an org code
    to files for that org's addresses only (e.g. a township's follow-up list)."""
    package = month_package(month)
    return deliver_package(package, _extra_files(extra_attachments), DeliveryLog(config.paths().delivery_log),
                           resend_uncertain)


def deliver_package(package: MonthPackage, extras: dict, journal: DeliveryLog, resend_uncertain: bool = False) -> DeliveryReport:
    """Send a package (a district's month, or a deployment's rollup) to everyone its settings list;
    the journal makes a retry send only what has not gone yet."""
    conf = package.conf
    report = DeliveryReport(package.bulletin_id)
    _email_all(package, conf, extras, journal, report, resend_uncertain)
    _post_all(package, conf, journal, report, resend_uncertain)
    log.info("delivery %s", report)
    if report.failed:
        raise DeliveryFailed(report)
    return report
