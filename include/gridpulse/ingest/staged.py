"""The staged month: the typed tables of an export that passed validation, for the load step.

Validation reads, types and checks the export in a DuckDB database of its own (in memory,
spilling to the export's scratch folder beyond `validation.memory_limit`). An export that passes
is written here as one Parquet file per table (`<table>.parquet`, source_row and the contract's
columns) with a marker naming the export and month, into a partial folder renamed into place in
one step; the load step inserts from these files instead of parsing the export again. A failing
export leaves nothing. The files hold personal data like the export itself, so they are 0600 in
a 0700 folder, and the load step deletes them once the month is in the warehouse (and its
personal columns in the restricted store).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from gridpulse.contract import tables
from gridpulse.files.safe_paths import inside
from gridpulse.private_files import make_private, private_folder

STAGED_FOLDER = "typed"
MARKER = "staged_export.json"


def staged_path(archived: Path) -> Path:
    """Beside the validation report of the archived export (never through a link planted there)."""
    return inside(archived.parent, archived.name + ".validation", STAGED_FOLDER)


def partial_path(archived: Path) -> Path:
    """Where the typed tables are written before the staged month is complete."""
    target = staged_path(archived)
    return inside(target.parent, target.name + ".partial")


def scratch_folder(archived: Path) -> Path:
    """Where a GBK file's UTF-8 copy and DuckDB's spill files go while the export is read (0700)."""
    return private_folder(inside(staged_path(archived).parent, "scratch"))


def table_file(staged: Path, name: str) -> Path:
    return staged / f"{name}.parquet"


def write_tables(con: duckdb.DuckDBPyConnection, archived: Path) -> None:
    """Write every typed table of the contract into the partial folder (validation may run this
    while it still checks the tables: the files count only once sealed)."""
    partial = partial_path(archived)
    shutil.rmtree(partial, ignore_errors=True)
    private_folder(partial)
    for name, table in tables().items():
        columns = ", ".join(f'"{c}"' for c in ["source_row", *table.columns])
        path = str(table_file(partial, name)).replace("'", "''")
        con.execute(f"COPY (SELECT {columns} FROM \"{name}\") TO '{path}' (FORMAT parquet, COMPRESSION zstd)")


def seal(archived: Path, export_id: str, period: str) -> Path:
    """Mark the written tables as the passing export's and move the folder into place in one
    rename."""
    partial, target = partial_path(archived), staged_path(archived)
    (partial / MARKER).write_text(json.dumps({"export_id": export_id, "period": period}), encoding="utf-8")
    make_private(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def discard(archived: Path) -> None:
    """Delete what validation wrote of an export (a UTF-8 copy, spill files, a partial staged
    month): it holds personal data."""
    for folder in (partial_path(archived), staged_path(archived).parent / "scratch"):
        shutil.rmtree(folder, ignore_errors=True)


def remove_staged(archived: Path) -> None:
    """Delete the staged month once it is loaded."""
    shutil.rmtree(staged_path(archived), ignore_errors=True)


def staged_for(archived: Path, export_id: str, period: str) -> Path | None:
    """The sealed staged month of this export and month, if validation left one with every table."""
    folder = staged_path(archived)
    marker = folder / MARKER
    if not marker.exists() or not all(table_file(folder, name).exists() for name in tables()):
        return None
    if json.loads(marker.read_text(encoding="utf-8")) != {"export_id": export_id, "period": period}:
        return None
    return folder
