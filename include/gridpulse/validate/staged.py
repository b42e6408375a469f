"""The typed tables of an export, in a DuckDB file beside its validation report.

Validation reads the export chunk by chunk into this file, then checks it from there in chunks
(gx_runner.py), so no table is ever held whole in memory. An export that passes is sealed (the
file is renamed into place with the export's id and month) and the load step inserts from it
instead of parsing the export again; one that fails has its file deleted. The file holds
personal data like raw.*, so the load step deletes it once the month is in the warehouse.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from gridpulse.contract import tables

STAGED_FILE = "typed.duckdb"
MARKER_TABLE = "staged_export"


def staged_path(archived: Path) -> Path:
    """Beside the validation report of the archived export."""
    return archived.parent / (archived.name + ".validation") / STAGED_FILE


def partial_path(archived: Path) -> Path:
    """Where validation writes the typed tables before it knows whether the export passes."""
    target = staged_path(archived)
    return target.with_name(target.name + ".partial")


class StagedTables:
    """Appends typed chunks to one table after another of a fresh partial file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a run that died leaves its partial file behind
        self.path = path
        self.con = duckdb.connect(str(path))
        self.created: set[str] = set()

    def append(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register("typed_chunk", frame)
        if name in self.created:
            self.con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM typed_chunk')
        else:
            self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM typed_chunk')
            self.created.add(name)
        self.con.unregister("typed_chunk")

    def drop(self, name: str) -> None:
        """Forget a table whose file broke part-way (its rows so far prove nothing)."""
        self.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.created.discard(name)

    def close(self) -> None:
        self.con.close()


def in_column(value_sql: str, table: str, column: str) -> str:
    """SQL that holds where the value, as text, is one of a staged table's values in `column`:
    a reference that resolves, or an id that collides."""
    return (f'CAST({value_sql} AS VARCHAR) IN (SELECT CAST("{column}" AS VARCHAR) FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL)')


def seal(archived: Path, export_id: str, period: str) -> Path:
    """Mark the partial file as the passing export's and move it into place, in one rename."""
    partial, target = partial_path(archived), staged_path(archived)
    con = duckdb.connect(str(partial))
    try:
        con.execute(f"CREATE OR REPLACE TABLE {MARKER_TABLE} AS SELECT ? AS export_id, ? AS period", [export_id, period])
    finally:
        con.close()
    partial.replace(target)
    return target


def discard(archived: Path) -> None:
    """Delete the typed tables of an export that failed: they hold personal data."""
    partial = partial_path(archived)
    for path in (partial, partial.with_name(partial.name + ".wal")):
        path.unlink(missing_ok=True)


def staged_for(archived: Path, export_id: str, period: str) -> Path | None:
    """The sealed file of this export and month, if validation left one with every table."""
    path = staged_path(archived)
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if MARKER_TABLE not in names or not set(tables()) <= names:
            return None
        if con.execute(f"SELECT export_id, period FROM {MARKER_TABLE}").fetchone() != (export_id, period):
            return None
    finally:
        con.close()
    return path
