"""Write a month's typed tables to the warehouse's raw schema.

raw.* holds the export as received, under canonical names, without its personal columns (those
go to the restricted store: personal.py); the platform's ids stay. A month is replaced whole in
one transaction, so re-running a month never duplicates rows and a failed load leaves the
previous state.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from gridpulse.contract import LINEAGE_COLUMNS, Table, tables

RAW_SCHEMA = "raw"


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(warehouse))


def _create_sql(name: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    return f'CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}."{name}" ({cols})'


def table_columns(table: Table) -> dict[str, str]:
    """The columns of raw.<table>: the contract's, less the personal ones (a pseudonymised one
    stays, as its HMAC's text), and lineage."""
    kept = {c.name: ("VARCHAR" if c.pseudonymised else c.sql_type) for c in table.columns.values()
            if c.pseudonymised or not c.personal}
    return kept | LINEAGE_COLUMNS


def _insert(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], frame: pd.DataFrame) -> int:
    if frame.empty:
        return 0
    select = ", ".join(f'CAST(incoming."{c}" AS {t}) AS "{c}"' for c, t in columns.items())
    con.register("incoming", frame)
    try:
        con.execute(f'INSERT INTO {RAW_SCHEMA}."{name}" BY NAME SELECT {select} FROM incoming')
    finally:
        con.unregister("incoming")
    return len(frame)


def replace_period(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], period: str, frame: pd.DataFrame) -> int:
    """Replace the rows of `period` in raw.<name> by `frame` (the caller holds the transaction)."""
    _prepare_month(con, name, columns, period)
    return _insert(con, name, columns, frame)


def _prepare_month(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], period: str) -> None:
    """raw.<name> with every column, and without the rows of `period`."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(_create_sql(name, columns))
    for column, sql_type in columns.items():  # a warehouse from before a lineage column was added
        con.execute(f'ALTER TABLE {RAW_SCHEMA}."{name}" ADD COLUMN IF NOT EXISTS "{column}" {sql_type}')
    for column in [c for c in (tables()[name].personal_columns if name in tables() else []) if c not in columns]:
        # a warehouse from before personal data was split off loses it at its next load
        con.execute(f'ALTER TABLE {RAW_SCHEMA}."{name}" DROP COLUMN IF EXISTS "{column}"')
    con.execute(f'DELETE FROM {RAW_SCHEMA}."{name}" WHERE period = ?', [period])


def replace_period_from(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], period: str, relation: str) -> int:
    """Replace the rows of `period` in raw.<name> by the rows of a relation in the database
    (a staged table with the lineage columns): no rows pass through Python."""
    _prepare_month(con, name, columns, period)
    select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns.items())
    return con.execute(f'INSERT INTO {RAW_SCHEMA}."{name}" BY NAME SELECT {select} FROM {relation}').fetchone()[0]


def replace_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], frame: pd.DataFrame) -> int:
    """Replace raw.<name> whole, columns included: for configuration (schemes), not months."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(f'DROP TABLE IF EXISTS {RAW_SCHEMA}."{name}"')
    con.execute(_create_sql(name, columns))
    return _insert(con, name, columns, frame)
