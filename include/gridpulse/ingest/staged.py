"""The staged month: landing and typed tables of one export, in a DuckDB file beside its
validation report.

Validation reads the export into this file (landing.py, typing.py) and checks it there. An export
that passes is sealed: its checking tables are dropped, the file is marked with the export's id
and month and renamed into place in one step, and the load step inserts from it instead of
parsing the export again. One that fails has its file deleted. The file holds personal data like
the export itself, so it is 0600 in a 0700 folder, and the load step deletes it once the month
is in the warehouse.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from gridpulse.contract import tables
from gridpulse.private_files import make_private, private_folder

STAGED_FILE = "typed.duckdb"
MARKER_TABLE = "staged_export"


def staged_path(archived: Path) -> Path:
    """Beside the validation report of the archived export."""
    return archived.parent / (archived.name + ".validation") / STAGED_FILE


def partial_path(archived: Path) -> Path:
    """Where validation writes the tables before it knows whether the export passes."""
    target = staged_path(archived)
    return target.with_name(target.name + ".partial")


def scratch_folder(archived: Path) -> Path:
    """Where a GBK file's UTF-8 copy is written while it is read (0700)."""
    return private_folder(staged_path(archived).parent / "scratch")


def open_partial(archived: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh partial file (a run that died leaves its partial file behind)."""
    path = partial_path(archived)
    private_folder(path.parent)
    discard(archived)
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit} if memory_limit else {})
    make_private(path)
    return con


def seal(archived: Path, export_id: str, period: str, keep: list[str]) -> Path:
    """Keep only the typed tables `keep`, mark the partial file as the passing export's and move
    it into place, in one rename."""
    partial, target = partial_path(archived), staged_path(archived)
    con = duckdb.connect(str(partial))
    try:
        for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            if name not in keep:
                con.execute(f'DROP TABLE "{name}"')
        con.execute(f"CREATE OR REPLACE TABLE {MARKER_TABLE} AS SELECT ? AS export_id, ? AS period", [export_id, period])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    partial.replace(target)
    make_private(target.parent)
    return target


def discard(archived: Path) -> None:
    """Delete the tables of an export that failed: they hold personal data."""
    partial = partial_path(archived)
    for path in (partial, partial.with_name(partial.name + ".wal")):
        path.unlink(missing_ok=True)
    scratch = staged_path(archived).parent / "scratch"
    if scratch.exists():
        for leftover in scratch.iterdir():
            leftover.unlink()


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
