"""Give the published warehouse a history quickly: copy a loaded month's raw rows and mart rows
into the months before it, with every date and timestamp shifted by whole months, one month per
INSERT (as a real month arrives), and the official calendar of each earlier month.

Generating and running 24 province months would take an hour; the monthly run only needs the
history to be there, with the size and layout real months would give it.
"""
from __future__ import annotations

import duckdb

from gridpulse import config
from gridpulse.load.month import calendar_frame
from gridpulse.period import Period

SHIFTED_TYPES = ("DATE", "TIMESTAMP")


def _months_before(period: Period, months: int) -> list[tuple[int, Period]]:
    found, current = [], period
    for k in range(1, months + 1):
        current = current.previous()
        found.append((k, current))
    return found


def _tables_with_period(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = ? AND column_name = 'period' "
        "AND table_name <> 'calendar_days' ORDER BY 1", [schema]).fetchall()]


def _copy_sql(con: duckdb.DuckDBPyConnection, schema: str, table: str, shift_dates: bool) -> str:
    columns = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()
    replaced = ["$target AS period"]
    if shift_dates:
        replaced += [f'CAST("{name}" - to_months($k) AS {kind}) AS "{name}"' for name, kind in columns if kind in SHIFTED_TYPES]
    return f'INSERT INTO {schema}."{table}" SELECT * REPLACE ({", ".join(replaced)}) FROM {schema}."{table}" WHERE period = $source'


def add_history(period: str, months: int) -> str:
    """Copy `period` of the published warehouse into the `months` months before it."""
    source = Period.parse(period)
    earlier = _months_before(source, months)
    con = duckdb.connect(str(config.paths().warehouse))
    try:
        for schema, shift_dates in (("raw", True), ("marts", False)):
            for table in _tables_with_period(con, schema):
                sql = _copy_sql(con, schema, table, shift_dates)
                for k, target in earlier:
                    con.execute(f'DELETE FROM {schema}."{table}" WHERE period = ?', [str(target)])
                    params = {"target": str(target), "source": str(source)} | ({"k": k} if "$k" in sql else {})
                    con.execute(sql, params)
        for _, target in earlier:
            con.execute("DELETE FROM raw.calendar_days WHERE period = ?", [str(target)])
            con.register("calendar_month", calendar_frame(target))
            con.execute("INSERT INTO raw.calendar_days SELECT period, CAST(day AS DATE), is_workday FROM calendar_month")
            con.unregister("calendar_month")
        con.execute("CHECKPOINT")
        counts = con.execute("SELECT count(DISTINCT period) FROM raw.events").fetchone()[0]
    finally:
        con.close()
    return f"{months} months before {source} added; raw.events now holds {counts} months"
