"""Cells of an export workbook as text, as the platform wrote them.

pandas' reader returns a formula's cached value, which is empty when the file was written by a
program that does not compute formulas, so `=HYPERLINK(...)` in a name would look like an empty
cell. Here a formula is kept as its text and its cell is listed, so validation can name it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook


@dataclass
class SheetCells:
    frame: pd.DataFrame                     # every cell as text; "" for an empty cell
    formulas: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, header)
    empty_headers: int = 0                  # header cells left empty (a merged header leaves these)


def _text(value) -> str:
    """A cell as pandas' reader would give it with dtype=str."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)  # a datetime cell reads as 2022-11-01 00:00:00, as pandas gives it


def read_sheet(path: Path) -> SheetCells:
    """The first sheet of a workbook; row 1 is the header."""
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        rows = book.worksheets[0].iter_rows()
        header = next(rows, None)
        if header is None:
            raise pd.errors.EmptyDataError("no header row")
        headers = [_text(c.value).strip() for c in header]
        while headers and not headers[-1]:
            headers.pop()  # trailing empty cells are not columns
        width = len(headers)
        body, formulas = [], []
        for number, row in enumerate(rows, start=2):
            row = row[:width]
            body.append([_text(c.value) for c in row] + [""] * (width - len(row)))
            formulas += [(number, headers[i]) for i, c in enumerate(row) if getattr(c, "data_type", None) == "f"]
    finally:
        book.close()
    while body and not any(body[-1]):
        body.pop()  # blank rows at the end are formatting, not data; blank rows inside stay (row numbers hold)
    frame = pd.DataFrame(body, columns=_unique(headers), dtype=str) if body else pd.DataFrame(columns=_unique(headers), dtype=str)
    return SheetCells(frame, formulas, sum(1 for h in headers if not h))


def _unique(headers: list[str]) -> list[str]:
    """Headers made unique the way pandas does it ("名称", "名称.1"), blanks as "Unnamed: n"."""
    seen: dict[str, int] = {}
    out = []
    for index, header in enumerate(headers):
        name = header or f"Unnamed: {index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def merged_header_ranges(path: Path) -> list[tuple[str, str]]:
    """Merged ranges that touch the header row, with the header printed in their first cell."""
    book = load_workbook(path, read_only=False, data_only=False)
    try:
        sheet = book.worksheets[0]
        return [(str(r.coord), _text(sheet.cell(r.min_row, r.min_col).value).strip())
                for r in sheet.merged_cells.ranges if r.min_row == 1]
    finally:
        book.close()
