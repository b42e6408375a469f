"""A check across the events and their transfers that GX's per-table suites cannot make: a
transfer (流转) timestamped after its event was closed. An event is handed on while it is open; a
transfer after the close is the platform's clock or a record made after the fact (the month was
padded with it), and the platform's meaning is not certain enough to repair it, so the export is
refused with the transfer's file, row and column. A close before the report is the contract's
`not_before` on closed_at, checked in the events' suite."""
from __future__ import annotations

from gridpulse.problems import Problem
from gridpulse.validate.export import ExportData

CHECK = "transfer_after_close"


def transfer_problems(con, data: ExportData) -> list[Problem]:
    if not {"events", "event_transfers"} <= set(data.readable):
        return []  # an unreadable file has its own problem
    found = con.execute(
        'SELECT t.source_row, CAST(t."transferred_at" AS VARCHAR), CAST(e."closed_at" AS VARCHAR), CAST(t."event_id" AS VARCHAR), '
        'e.source_row FROM "event_transfers" t JOIN "events" e ON CAST(e."event_id" AS VARCHAR) = CAST(t."event_id" AS VARCHAR) '
        'WHERE t."transferred_at" > e."closed_at" ORDER BY t.source_row').fetchall()
    events_file, header = data.files["events"], data.headers["event_transfers"].get("transferred_at")
    closed_header = data.headers["events"].get("closed_at") or "closed_at"
    return [Problem(data.files["event_transfers"],
                    f"「{transferred}」晚于事件 {event_id} 的「{closed_header}」「{closed}」（{events_file} 第 {event_row} 行）："
                    "事件办结后不应再流转，请核对平台时间后重新导出",
                    row=int(row), column="transferred_at", header=header, value=str(transferred), check=CHECK)
            for row, transferred, closed, event_id, event_row in found]
