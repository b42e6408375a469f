"""Load a validated export into raw, with the month's calendar and the schemes, in one transaction."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridpulse import config
from gridpulse.calendar import is_workday
from gridpulse.contract import tables
from gridpulse.load.raw import connect, replace_period, replace_table, table_columns
from gridpulse.period import Period
from gridpulse.problems import ExportRejected
from gridpulse.publish.warehouse import start_build
from gridpulse.schemes import SCHEME_COLUMNS, scheme_frames
from gridpulse.sources.archive import received_files
from gridpulse.validate.export import read_export

CALENDAR_COLUMNS = {"period": "VARCHAR", "day": "DATE", "is_workday": "BOOLEAN"}


def calendar_frame(period: Period) -> pd.DataFrame:
    days = period.days()
    return pd.DataFrame({"period": str(period), "day": pd.to_datetime(days), "is_workday": [is_workday(d) for d in days]})


def load_export(archived: Path, period: str) -> dict[str, int]:
    """Replace the month in raw, in a building copy of the warehouse, by the archived export;
    return rows loaded per table."""
    data = read_export(archived, period)
    if data.problems:  # validation runs first; this guards a load called on its own
        raise ExportRejected(f"{period} 导出 {data.export_id} 有问题，未载入 (not loaded)", data.problems)
    calendar = calendar_frame(Period.parse(period))  # fails before the transaction if the year is unknown
    schemes = scheme_frames(config.scheme_ids())
    loaded: dict[str, int] = {}
    con = connect(start_build())
    try:
        con.execute("BEGIN TRANSACTION")
        received = received_files(archived)
        for name, table in tables().items():
            frame = data.frames[name].assign(period=period, export_id=data.export_id, archive_id=archived.name,
                                              source_sha256=received[data.files[name]])
            loaded[name] = replace_period(con, name, table_columns(table), period, frame)
        replace_period(con, "calendar_days", CALENDAR_COLUMNS, period, calendar)
        for name, frame in schemes.items():
            replace_table(con, name, SCHEME_COLUMNS[name], frame)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return loaded
