"""Cells that no platform writes: longer than `export_limits.cell_chars`, or holding NUL or another
control character. Checked on the landing table, before a cell is typed, mapped or echoed: the
file is then refused at the cell, and nothing of it goes further.

The length check reads DuckDB's stored string lengths (`strlen`, no scan of the text); the control
check runs only for a file whose bytes held a control character (encoding.Controls) or a workbook.
"""
from __future__ import annotations

import duckdb

from gridpulse.ingest.headers import HeaderMap
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, unlisted

FIRST_DATA_ROW = 2
# Control characters other than tab, line feed and carriage return, as RE2 reads them.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _where(position: int, header_map: HeaderMap, printed: list[str]) -> tuple[str | None, str | None]:
    """The canonical column and printed header of a landing column."""
    for column, at in header_map.positions.items():
        if at == position:
            return column, header_map.headers.get(column)
    return None, printed[position] if position < len(printed) else None


def _controls_in(value: str) -> str:
    found = sorted({c for c in value if (ord(c) < 0x20 and c not in "\t\n\r") or ord(c) == 0x7F})
    return "、".join(f"\\x{ord(c):02x}" for c in found)


def cell_problems(con: duckdb.DuckDBPyConnection, landing: str, width: int, file_name: str, header_map: HeaderMap,
                  printed: list[str], limit: int, controls: bool) -> list[Problem]:
    """Cells over `limit` characters, and (if `controls`) cells holding a control character: the
    first rows of each column, then a count. Values are never echoed (a cell may be personal)."""
    columns = [f"col_{i}" for i in range(width)]
    if not columns:
        return []
    longest = con.execute("SELECT " + ", ".join(f'coalesce(max(strlen("{c}")), 0)' for c in columns)
                          + f' FROM "{landing}"').fetchone()
    problems = []
    for position, (column, most) in enumerate(zip(columns, longest)):
        where = _where(position, header_map, printed)
        if most > limit:  # bytes: a cell of at most `limit` bytes has at most `limit` characters
            problems += _listed(con, landing, column, f'length("{column}") > {limit}', file_name, where,
                                lambda row, n: f"单元格有 {n} 个字符，超过上限 {limit} 个（export_limits.cell_chars）："
                                               "平台导出的单元格不会这么长，请核对该记录后重新导出", "limit:cell_chars", "length")
        if controls:
            problems += _listed(con, landing, column, f"regexp_matches(\"{column}\", '{CONTROL_PATTERN}')", file_name, where,
                                lambda row, value: f"单元格含有控制字符（{_controls_in(value)}）：平台导出的文本中不应有 NUL 或"
                                                   "控制字符，请在平台修正该记录后重新导出", "control_chars", "value")
    return problems


def _listed(con, landing: str, column: str, condition: str, file_name: str, where, text, check: str, shown: str) -> list[Problem]:
    fetched = f'length("{column}")' if shown == "length" else f'"{column}"'
    rows = con.execute(f'SELECT rowid + {FIRST_DATA_ROW}, {fetched} FROM "{landing}" WHERE {condition} '
                       f'ORDER BY rowid LIMIT {MAX_ROWS_PER_CHECK}').fetchall()
    if not rows:
        return []
    canonical, header = where
    prefix = "" if canonical else f"规范之外的列「{header}」："  # a column the contract does not know
    problems = [Problem(file_name, prefix + text(row, value), row=int(row), column=canonical, header=header, check=check)
                for row, value in rows]
    if len(rows) == MAX_ROWS_PER_CHECK:
        total = con.execute(f'SELECT count(*) FROM "{landing}" WHERE {condition}').fetchone()[0]
        problems += unlisted(file_name, total - MAX_ROWS_PER_CHECK, canonical, header, check)
    return problems


def too_many_columns(file_name: str, width: int, limit: int) -> list[Problem]:
    if width <= limit:
        return []
    return [Problem(file_name, f"表头有 {width} 列，超过上限 {limit} 列（export_limits.header_columns）：不是平台的导出表格，"
                               "请从平台重新导出", row=1, check="limit:header_columns")]


def too_many_rows(file_name: str, rows: int, limit: int) -> list[Problem]:
    return [Problem(file_name, f"数据超过 {limit} 行（export_limits.rows），未继续读取：请核对导出范围后重新导出",
                    row=limit + FIRST_DATA_ROW, check="limit:rows")] if rows > limit else []

