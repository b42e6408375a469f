"""Cells of an export workbook as text, as the platform wrote them.

pandas' reader returns a formula's cached value, which is empty when the file was written by a
program that does not compute formulas, so `=HYPERLINK(...)` in a name would look like an empty
cell. Here a formula is kept as its text and its cell is listed, so validation can name it.

A workbook without formulas (what a platform writes) is read with calamine, about eight times
faster than openpyxl's cell objects (a province's 89k workers: 13 s against 105 s); one with a
formula anywhere is read with openpyxl, which gives each formula's text.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

# A formula cell is an <f> element in the sheet's XML (with or without a namespace prefix); text
# that merely looks like one is escaped there (&lt;f&gt;).
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[ >/]")


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


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula; the XML is streamed, not parsed."""
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with book.open(name) as sheet:
                tail = b""
                while chunk := sheet.read(1 << 20):
                    if FORMULA_ELEMENT.search(tail + chunk):
                        return True
                    tail = chunk[-16:]  # an element cut between two chunks
    return False


def read_sheet(path: Path) -> SheetCells:
    """The first sheet of a workbook; row 1 is the header."""
    return _read_with_openpyxl(path) if has_formulas(path) else _read_with_calamine(path)


def _read_with_calamine(path: Path) -> SheetCells:
    book = CalamineWorkbook.from_path(str(path))
    try:
        # skip_empty_area=False: the grid starts at A1, so row numbers hold
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        book.close()
    if not rows:
        raise pd.errors.EmptyDataError("no header row")
    headers = _headers(rows[0])
    width = len(headers)
    body = [[_text(v) for v in row[:width]] + [""] * (width - len(row)) for row in rows[1:]]
    return _cells(headers, body, [])


def _read_with_openpyxl(path: Path) -> SheetCells:
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        rows = book.worksheets[0].iter_rows()
        header = next(rows, None)
        if header is None:
            raise pd.errors.EmptyDataError("no header row")
        headers = _headers([c.value for c in header])
        width = len(headers)
        body, formulas = [], []
        for number, row in enumerate(rows, start=2):
            row = row[:width]
            body.append([_text(c.value) for c in row] + [""] * (width - len(row)))
            formulas += [(number, headers[i]) for i, c in enumerate(row) if getattr(c, "data_type", None) == "f"]
    finally:
        book.close()
    return _cells(headers, body, formulas)


def _headers(values: list) -> list[str]:
    headers = [_text(v).strip() for v in values]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty cells are not columns
    return headers


def _cells(headers: list[str], body: list[list[str]], formulas: list[tuple[int, str]]) -> SheetCells:
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
    book = CalamineWorkbook.from_path(str(path))
    try:
        sheet = book.get_sheet_by_index(0)
        header = (sheet.to_python(skip_empty_area=False, nrows=1) or [[]])[0]
        found = []
        for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
            if top == 0:
                cells = f"{get_column_letter(left + 1)}{top + 1}:{get_column_letter(right + 1)}{bottom + 1}"
                found.append((cells, _text(header[left]).strip() if left < len(header) else ""))
        return found
    finally:
        book.close()
