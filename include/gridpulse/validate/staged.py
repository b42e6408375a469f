"""The typed tables of an export that passed validation, handed to the load step.

Reading and typing a province month's files takes longer than anything else in a run; the
validation step has done it already, so it keeps its typed tables in a DuckDB file beside its
report and the load step inserts from there instead of parsing the export again. The file holds
personal data like raw.*, so the load step deletes it once the month is in the warehouse; a load
that finds none (or one of another export) parses the export itself.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from gridpulse.contract import tables

STAGED_FILE = "typed.duckdb"


def staged_path(archived: Path) -> Path:
    """Beside the validation report of the archived export."""
    return archived.parent / (archived.name + ".validation") / STAGED_FILE


def stage(frames: dict, export_id: str, period: str, archived: Path) -> Path:
    """Write every typed frame of a validated export; the file appears whole or not at all."""
    target = staged_path(archived)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial))
    try:
        for name, frame in frames.items():
            con.register("typed_frame", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM typed_frame')
            con.unregister("typed_frame")
        con.execute("CREATE TABLE staged_export AS SELECT ? AS export_id, ? AS period", [export_id, period])
    finally:
        con.close()
    partial.replace(target)
    return target


def staged_for(archived: Path, export_id: str, period: str) -> Path | None:
    """The staged file of this export and month, if validation left one with every table."""
    path = staged_path(archived)
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "staged_export" not in names or not set(tables()) <= names:
            return None
        if con.execute("SELECT export_id, period FROM staged_export").fetchone() != (export_id, period):
            return None
    finally:
        con.close()
    return path
