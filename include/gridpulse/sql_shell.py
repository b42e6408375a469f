"""`make sql`: an SQL shell on the published warehouse that cannot change it.

The file is opened read_only, so INSERT, CREATE or DROP fail in DuckDB itself; external access is
switched off and the configuration locked, so neither COPY ... TO nor ATTACH can write elsewhere.
Statements end with `;`. Piped input works too (`echo "SELECT 1;" | make sql`), and then the exit
status says whether every statement succeeded.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from gridpulse import config

BANNER = """Grid Pulse SQL (read-only): {path}
Marts are in schema marts (docs/analysts.md has the catalogue and worked questions).
End statements with ;   .tables lists the marts   .quit or Ctrl-D leaves."""


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise SystemExit(f"no published warehouse at {path}: run `make demo` or a month first")
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")  # so the line above cannot be undone
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str, out=sys.stdout) -> bool:
    """Run one statement, print its result or its error; True if it succeeded."""
    try:
        relation = con.sql(sql)
        if relation is not None:
            relation.show(max_rows=200, max_width=200)
        return True
    except duckdb.Error as error:
        print(f"Error: {error}", file=out)
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
    con = open_read_only(path)
    interactive = sys.stdin.isatty()
    if interactive:
        print(BANNER.format(path=path))
    ok = True
    for statement in statements(_typed_lines() if interactive else sys.stdin):
        if statement in (".quit", ".exit"):
            break
        if statement == ".tables":
            statement = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
        ok = run(con, statement) and ok
    con.close()
    return 0 if ok or interactive else 1
