"""The delivery log: what was sent, to whom, by which channel, when, and how it ended.

It is a SQLite file beside the warehouse, not in it: the warehouse is replaced whole by every
publish, the log must outlive that. A row is written *before* a message goes out (status
'sending') and updated after ('sent' or 'failed'), so a run that dies between recipients resumes
with the remaining ones only. A row left in 'sending' means the outcome is unknown (the process
died while the server was answering): it is not sent again unless asked, so nobody receives the
same bulletin twice.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

SENDING, SENT, FAILED, SKIPPED = "sending", "sent", "failed", "skipped"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery (
    bulletin_id TEXT NOT NULL,      -- the month and a digest of the files delivered
    period      TEXT NOT NULL,
    channel     TEXT NOT NULL,      -- email | dingtalk | wecom
    recipient   TEXT NOT NULL,      -- an email address or a robot's connection id
    orgs        TEXT NOT NULL,      -- org codes the recipient is listed under (JSON)
    files       TEXT NOT NULL,      -- name -> sha256 of what was sent (JSON)
    status      TEXT NOT NULL,      -- sending | sent | failed | skipped (channel not configured)
    attempts    INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    detail      TEXT,               -- the server's answer or the error
    PRIMARY KEY (bulletin_id, channel, recipient)
);
CREATE TABLE IF NOT EXISTS alert (
    sent_at   TEXT NOT NULL,
    period    TEXT NOT NULL,
    task_id   TEXT NOT NULL,
    channel   TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status    TEXT NOT NULL,
    detail    TEXT
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DeliveryLog:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # autocommit off, explicit BEGIN IMMEDIATE: two runs never claim the same recipient
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def claim(self, bulletin_id: str, period: str, channel: str, recipient: str, orgs: list[str],
              files: dict[str, str], resend_uncertain: bool = False) -> str | None:
        """Record that a message is about to go out and return None; or return the status that
        says it must not ('sent', or 'sending' left by a run that died mid-send)."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT status FROM delivery WHERE bulletin_id = ? AND channel = ? AND recipient = ?",
                              [bulletin_id, channel, recipient]).fetchone()
            if row and (row[0] == SENT or (row[0] == SENDING and not resend_uncertain)):
                con.execute("ROLLBACK")
                return row[0]
            if row:
                con.execute("UPDATE delivery SET status = ?, attempts = attempts + 1, started_at = ?, finished_at = NULL,"
                            " detail = NULL, files = ? WHERE bulletin_id = ? AND channel = ? AND recipient = ?",
                            [SENDING, _now(), json.dumps(files), bulletin_id, channel, recipient])
            else:
                con.execute("INSERT INTO delivery VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, NULL)",
                            [bulletin_id, period, channel, recipient, json.dumps(orgs), json.dumps(files), SENDING, _now()])
            con.execute("COMMIT")
        return None

    def skip(self, bulletin_id: str, period: str, channel: str, recipient: str, orgs: list[str], reason: str) -> None:
        """Record that a channel without a connection did not send; a later run that has the
        connection claims the row again (only 'sent' and 'sending' rows stop a send)."""
        with closing(self._connect()) as con:
            con.execute("INSERT INTO delivery VALUES (?, ?, ?, ?, ?, '{}', ?, 0, ?, ?, ?) "
                        "ON CONFLICT (bulletin_id, channel, recipient) DO UPDATE SET finished_at = excluded.finished_at,"
                        " detail = excluded.detail WHERE status = 'skipped'",
                        [bulletin_id, period, channel, recipient, json.dumps(orgs), SKIPPED, _now(), _now(), reason])

    def finish(self, bulletin_id: str, channel: str, recipient: str, status: str, detail: str = "") -> None:
        with closing(self._connect()) as con:
            con.execute("UPDATE delivery SET status = ?, finished_at = ?, detail = ? "
                        "WHERE bulletin_id = ? AND channel = ? AND recipient = ?",
                        [status, _now(), detail[:2000], bulletin_id, channel, recipient])

    def record_alert(self, period: str, task_id: str, channel: str, recipient: str, status: str, detail: str = "") -> None:
        with closing(self._connect()) as con:
            con.execute("INSERT INTO alert VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [_now(), period, task_id, channel, recipient, status, detail[:2000]])

    def rows(self, period: str | None = None) -> list[dict]:
        with closing(self._connect()) as con:
            con.row_factory = sqlite3.Row
            sql = "SELECT * FROM delivery" + (" WHERE period = ?" if period else "") + " ORDER BY started_at, channel, recipient"
            return [dict(r) for r in con.execute(sql, [period] if period else [])]

    def alerts(self) -> list[dict]:
        with closing(self._connect()) as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute("SELECT * FROM alert ORDER BY sent_at")]
