"""`make sql`: an SQL shell on the published warehouse that cannot change it.

The file is opened read_only, so INSERT, CREATE or DROP fail in DuckDB itself; external access is
switched off and the configuration locked, so neither COPY ... TO nor ATTACH can write elsewhere.
Statements end with `;`; every statement of the input runs and prints its own result, several on
a line included. Piped input works too (`echo "SELECT 1;" | make sql`), and then the exit status
says whether every statement succeeded.

A session keeps the month it opened (the monthly run swaps in a new file by rename): when a newer
warehouse has been published since, the shell says so once, and `.reconnect` opens the new one. A
file held read-write by another process cannot be opened read-only at all: the shell says which
process holds it, in one line, and exits with status 4.

Results are shown whole, every column at full width (`.maxrows N` bounds the rows); typed at a
terminal, a result taller or wider than the screen opens in a pager that scrolls sideways.
`.mode vertical` prints one `column: value` line per column, for rows too wide to read across.
`.export NAME.csv` or `.export NAME.xlsx` writes the last query's result, and only ever into
output/exports/: the shell writes those files itself (DuckDB's own writing stays switched off).
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import pydoc
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gridpulse import config
from gridpulse.files.workbook import safe_text

BANNER = """Grid Pulse SQL (read-only): {path}
Marts are in schema marts (docs/analysts.md: worked questions; docs/columns.md: every column).
End statements with ;   .tables lists the marts   .help lists the dot commands   .quit or Ctrl-D leaves."""

HELP = """.tables                  the marts
.mode table|vertical     results as a table (default) or one `column: value` line per column
.maxrows N               show at most N rows of a result (default {default}; 0: no limit)
.export NAME.csv|.xlsx   write the last query's result to output/exports/NAME (UTF-8 CSV with BOM, or XLSX)
.reconnect               open the warehouse again: a month published since this session opened
.quit                    leave"""

DEFAULT_MAX_ROWS = 10_000
BUSY = 4  # the exit status when another process holds the file read-write
EXPORT_SUFFIXES = (".csv", ".xlsx")
# Far beyond any mart's row: DuckDB's renderer otherwise elides columns and cuts long text.
NO_WIDTH_LIMIT = 1_000_000


class WarehouseBusy(Exception):
    """The file cannot be opened read-only now: another process holds it read-write."""


@dataclass
class Session:
    con: duckdb.DuckDBPyConnection
    exports: Path
    path: Path | None = None
    opened: tuple | None = None  # the published file's identity when the session opened it
    told: tuple | None = None  # the newer file the session has already told about
    mode: str = "table"
    max_rows: int = DEFAULT_MAX_ROWS
    last_query: str | None = None
    out: object = field(default_factory=lambda: sys.stdout)
    page: bool = False  # typed at a terminal: long or wide results go through a pager


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise SystemExit(f"no published warehouse at {path}: run `make demo` or a month first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise WarehouseBusy(busy_message(path, str(error))) from None
    return locked_down(con)


def locked_down(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")  # so the line above cannot be undone
    return con


def busy_message(path: Path, error: str) -> str:
    """One line for a file DuckDB refused to open: who holds it, when DuckDB says."""
    if "lock" not in error.lower():
        return f"cannot open {path}: {error.splitlines()[0]}"
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", error)
    who = f"process {holder.group(2)} ({holder.group(1)})" if holder else "another process"
    return (f"{path} is busy: {who} has it open read-write, which locks out every reader; "
            "close that connection (or open it read-only) and try again")


def file_identity(path: Path) -> tuple | None:
    """What changes when the run swaps in a newly published file (a new inode, a new mtime)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns)


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        return con.execute("SELECT max(period) FROM marts.rpt_ranking_monthly").fetchall()[0][0]
    except duckdb.Error:
        return None


def open_session(path: Path, **options) -> Session:
    return Session(con=open_read_only(path), exports=exports_dir(), path=path, opened=file_identity(path), **options)


def newer_published(session: Session) -> None:
    """Say, once per new file, that a warehouse newer than the session's has been published."""
    now = file_identity(session.path) if session.path else None
    if now is None or now == session.opened or now == session.told:
        return
    session.told = now
    print(f"Note: a newer warehouse was published since this session opened (this session reads up to "
          f"{latest_month(session.con) or 'no month'}); .reconnect to read it", file=session.out)


def reconnect(session: Session) -> bool:
    before = latest_month(session.con)
    session.con.close()
    try:
        session.con = open_read_only(session.path)
    except WarehouseBusy as refused:  # busy now: .reconnect again once the holder lets go
        print(f"Error: {refused}", file=session.out)
        session.con = locked_down(duckdb.connect())  # an empty database until .reconnect succeeds
        return False
    session.opened = session.told = file_identity(session.path)
    after = latest_month(session.con)
    change = f"newer month published: {after} (was {before})" if after != before else f"latest month {after}"
    print(f"Reconnected to {session.path}: {change}", file=session.out)
    return True


def exports_dir() -> Path:
    return config.paths().output / "exports"


def render(relation: duckdb.DuckDBPyRelation, mode: str, max_rows: int) -> str:
    """The result as text: every column, every character, up to max_rows rows (0: all)."""
    limit = max_rows or None
    if mode == "vertical":
        rows = relation.limit(limit).fetchall() if limit else relation.fetchall()
        width = max((len(name) for name in relation.columns), default=0)
        blocks = []
        for number, row in enumerate(rows, start=1):
            lines = [f"-[ row {number} ]" + "-" * 20]
            lines += [f"{name.ljust(width)} | {'NULL' if value is None else value}" for name, value in zip(relation.columns, row)]
            blocks.append("\n".join(lines))
        shown = "\n".join(blocks) or "(no rows)"
        total = relation.count("*").fetchall()[0][0] if limit else len(rows)
        more = total - len(rows)
        return shown + (f"\n({more} more rows: raise .maxrows, or .export the result)" if more > 0 else "") + "\n"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        relation.show(max_rows=limit or 2**62, max_width=NO_WIDTH_LIMIT, max_col_width=NO_WIDTH_LIMIT)
    return buffer.getvalue()


def _print(session: Session, text: str) -> None:
    size = shutil.get_terminal_size()
    lines = text.splitlines()
    too_big = len(lines) > size.lines - 2 or any(len(line) > size.columns for line in lines)
    if session.page and too_big:
        # -S: long lines scroll sideways instead of wrapping, so a wide table keeps its shape
        os.environ.setdefault("LESS", "-S -R -F -X")
        pydoc.pager(text)
    else:
        print(text, end="", file=session.out)


def run(session: Session, sql: str) -> bool:
    """Run each statement of `sql` in turn, print each result or error; True if all succeeded.
    (DuckDB's `sql()` given several statements runs them all but returns only the last result.)"""
    newer_published(session)
    try:
        parts = [statement.query.strip() for statement in session.con.extract_statements(sql)]
    except duckdb.Error as error:
        print(f"Error: {error}", file=session.out)
        return False
    ok = True
    for part in parts:
        ok = _run_one(session, part) and ok
    return ok


def _run_one(session: Session, sql: str) -> bool:
    try:
        relation = session.con.sql(sql)
        if relation is not None:
            _print(session, render(relation, session.mode, session.max_rows))
            session.last_query = sql
        return True
    except duckdb.Error as error:
        print(f"Error: {error}", file=session.out)
        return False


def export_path(name: str, folder: Path) -> Path:
    """Where `.export name` writes: a plain file name with .csv or .xlsx, inside folder only."""
    candidate = Path(name)
    if candidate.suffix.lower() not in EXPORT_SUFFIXES:
        raise ValueError(f"export to a .csv or .xlsx file, not {name!r}")
    if candidate.name != name or name.startswith("."):
        raise ValueError(f"{name!r}: give a file name only; exports are written to {folder}/")
    return folder / name


def write_export(relation: duckdb.DuckDBPyRelation, path: Path) -> int:
    """Write the result to path through a temporary file beside it; return the rows written.
    Replacing by rename never follows a symlink planted at path, so nothing lands outside."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = relation.fetchall()
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(handle)
    try:
        if path.suffix.lower() == ".csv":
            # BOM: Excel and WPS then open Chinese text as UTF-8
            with open(temporary, "w", encoding="utf-8-sig", newline="") as file:
                writer = csv.writer(file, lineterminator="\r\n")
                writer.writerow(relation.columns)
                writer.writerows([safe_text(value) for value in row] for row in rows)
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.append(list(relation.columns))
            for row in rows:
                sheet.append([safe_text(value) for value in row])
            book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)


def export(session: Session, name: str) -> bool:
    if session.last_query is None:
        print("Error: .export writes the last query's result: run a query first", file=session.out)
        return False
    try:
        path = export_path(name, session.exports)
        written = write_export(session.con.sql(session.last_query), path)
    except (ValueError, duckdb.Error) as error:
        print(f"Error: {error}", file=session.out)
        return False
    print(f"{written} rows written to {path}", file=session.out)
    return True


def dot_command(session: Session, command: str) -> bool:
    """Run a dot command; True if it succeeded."""
    name, _, argument = command.partition(" ")
    argument = argument.strip()
    if name == ".tables":
        return run(session, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1")
    if name == ".mode" and argument in ("table", "vertical"):
        session.mode = argument
        return True
    if name == ".maxrows" and argument.isdigit():
        session.max_rows = int(argument)
        return True
    if name == ".export" and argument:
        return export(session, argument)
    if name == ".reconnect":
        return reconnect(session)
    if name == ".help":
        print(HELP.format(default=DEFAULT_MAX_ROWS), file=session.out)
        return True
    print(f"Error: unknown or incomplete command {command!r} (.help lists them)", file=session.out)
    return False


def statements(lines):
    """Yield statements ending with ';' (and dot commands) from lines as typed."""
    buffer = ""
    for line in lines:
        if not buffer and line.strip().startswith("."):
            yield line.strip()
            continue
        buffer += line
        if buffer.rstrip().endswith(";"):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def _typed_lines():
    prompt = "gridpulse> "
    while True:
        try:
            line = input(prompt)
        except EOFError:
            print()
            return
        prompt = "gridpulse> " if line.rstrip().endswith(";") else "      ...> "
        yield line + "\n"


def main(path: Path | None = None) -> int:
    path = path or config.paths().warehouse
    interactive = sys.stdin.isatty()
    try:
        session = open_session(path, page=interactive and sys.stdout.isatty())
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        return BUSY
    if interactive:
        print(BANNER.format(path=path))
    ok = True
    for statement in statements(_typed_lines() if interactive else sys.stdin):
        if statement in (".quit", ".exit"):
            break
        succeeded = dot_command(session, statement) if statement.startswith(".") else run(session, statement)
        ok = succeeded and ok
    session.con.close()
    return 0 if ok or interactive else 1
