"""The export's personal data, split off at load into a restricted DuckDB file.

Names, phone numbers and ID numbers (the contract's `personal: true` columns) never reach the
warehouse that analysts, `make sql`, dbt docs, the PostgreSQL twin or a BI tool open: DuckDB has
no access control, so whoever can open a file reads every schema in it. They go to
`<restricted>/personal.duckdb` (0600 in a 0700 folder), one table per contract table that has
personal columns, keyed by the platform's id and the month. The one reader is the townships'
follow-up lists (followup.py), which attach it read-only.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from gridpulse import config
from gridpulse.contract import SQL_TYPES, Table, tables
from gridpulse.ingest.staged import table_file
from gridpulse.private_files import make_private, private_folder

PERSONAL_FILE = "personal.duckdb"


def personal_store() -> Path:
    return config.paths().restricted / PERSONAL_FILE


def personal_tables() -> dict[str, Table]:
    """The contract's tables that have personal columns."""
    return {name: table for name, table in tables().items() if table.personal_columns}


def _columns(table: Table) -> dict[str, str]:
    """The month, the table's key and its personal columns."""
    keyed = {"period": "VARCHAR"} | {key: SQL_TYPES[table.columns[key].type] for key in table.key}
    return keyed | {name: SQL_TYPES[table.columns[name].type] for name in table.personal_columns}


def replace_personal_month(staged: Path, period: str) -> dict[str, int]:
    """Replace the month's rows of every personal table by the staged export's, in one
    transaction; return the rows written per table."""
    store = personal_store()
    private_folder(store.parent)
    con = duckdb.connect(str(store))
    make_private(store)
    try:
        con.execute("BEGIN TRANSACTION")
        written = {name: _replace(con, name, table, period, staged) for name, table in personal_tables().items()}
        con.execute("COMMIT")
    finally:
        con.close()
    make_private(store.parent)  # DuckDB's write-ahead log, if one was left
    return written


def _replace(con, name: str, table: Table, period: str, staged: Path) -> int:
    columns = _columns(table)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({", ".join(f"{c} {t}" for c, t in columns.items())})')
    con.execute(f'DELETE FROM "{name}" WHERE period = ?', [period])
    selected = ", ".join(f'"{c}"' for c in columns if c != "period")
    source = str(table_file(staged, name)).replace("'", "''")
    return con.execute(f"INSERT INTO \"{name}\" SELECT ? AS period, {selected} FROM read_parquet('{source}')", [period]).fetchone()[0]
