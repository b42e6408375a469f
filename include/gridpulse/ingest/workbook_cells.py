"""Cells of an export workbook as text, as the platform wrote them, in bounded batches of rows.

A reader that gives a formula's cached value would show `=HYPERLINK(...)` in a name as an empty
cell when the file was written by a program that does not compute formulas. Here a formula is kept
as its text and its cell is listed, so validation can name it.

A workbook without formulas (what a platform writes) is read with calamine, about eight times
faster than openpyxl's cell objects (a province's 89k workers: 13 s against 105 s); one with a
formula anywhere is read with openpyxl, which gives each formula's text. Either way rows are
handed on as lists of text, `batch_rows` at a time, never as one frame.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

# A formula cell is an <f> element in the sheet's XML (with or without a namespace prefix); text
# that merely looks like one is escaped there (&lt;f&gt;).
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[ >/]")


class EmptySheet(Exception):
    """The first sheet has no header row."""


@dataclass
class SheetRows:
    headers: list[str]                      # row 1 as printed; "" for an empty header cell
    batches: Iterator[list[list[str]]]      # the data rows, as text ("" for an empty cell), in order
    formulas: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, header), filled while batches are read
    skipped: str | None = None              # why the data is not on the first sheet, if it is not
    sheet_index: int = 0

    @property
    def empty_headers(self) -> int:
        """Header cells left empty (a merged header leaves these)."""
        return sum(1 for h in self.headers if not h)


def cell_text(value) -> str:
    """A cell as text: whole numbers without '.0', dates as 2022-11-01 00:00:00."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


def read_sheet_rows(path: Path, batch_rows: int, is_header=None) -> SheetRows:
    """The data sheet of a workbook: the first one whose row 1 `is_header` says is a header
    (the first sheet if none is, or no test is given); row 1 is the header, the rest come in
    batches."""
    index, skipped = _data_sheet(path, is_header)
    read = with_openpyxl if has_formulas(path) else with_calamine
    sheet = read(path, batch_rows, index)
    sheet.skipped, sheet.sheet_index = skipped, index
    return sheet


def first_rows(path: Path, index: int, count: int = 2) -> list[list[str]]:
    """The first rows of a sheet as printed, whole (not cut to the header's width)."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        return [[cell_text(v) for v in row] for row in book.get_sheet_by_index(index).to_python(skip_empty_area=False, nrows=count)]
    finally:
        book.close()


def _data_sheet(path: Path, is_header) -> tuple[int, str | None]:
    """Which sheet holds the data: a sheet put before it (a cover, notes, an empty sheet a
    program added) is skipped, and the report says so."""
    if is_header is None:
        return 0, None
    book = CalamineWorkbook.from_path(str(path))
    try:
        names = book.sheet_names
        for index in range(len(names)):
            first = book.get_sheet_by_index(index).to_python(skip_empty_area=False, nrows=1)
            if first and is_header([cell_text(v) for v in first[0]]):
                if index == 0:
                    return 0, None
                return index, (f"数据在第 {index + 1} 个工作表「{names[index]}」，其前的工作表"
                               f"「{'」「'.join(names[:index])}」不是数据（已跳过）")
    finally:
        book.close()
    return 0, None


def _headers(values: list) -> list[str]:
    headers = [cell_text(v).strip() for v in values]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty cells are not columns
    return headers


def _fitted(values: list, width: int) -> list[str]:
    row = [cell_text(v) for v in values[:width]]
    return row + [""] * (width - len(row))


def _batched(rows: Iterator[list[str]], batch_rows: int) -> Iterator[list[list[str]]]:
    while batch := list(islice(rows, batch_rows)):
        yield batch


def with_calamine(path: Path, batch_rows: int, index: int = 0) -> SheetRows:
    book = CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_index(index)
    # calamine's rows start at row 1 but at the first used column: pad them back to column A, so
    # a header missing from column A is seen as missing, and row numbers hold
    left = [None] * (sheet.start[1] if sheet.start else 0)
    rows = (left + row for row in sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        book.close()
        raise EmptySheet("no header row")
    headers = _headers(first)

    def body():
        try:
            yield from (_fitted(row, len(headers)) for row in rows)
        finally:
            book.close()
    return SheetRows(headers, _batched(body(), batch_rows))


def with_openpyxl(path: Path, batch_rows: int, index: int = 0) -> SheetRows:
    book = load_workbook(path, read_only=True, data_only=False)
    rows = book.worksheets[index].iter_rows()
    header = next(rows, None)
    if header is None:
        book.close()
        raise EmptySheet("no header row")
    sheet = SheetRows(_headers([c.value for c in header]), iter(()))
    width = len(sheet.headers)

    def body():
        try:
            for number, row in enumerate(rows, start=2):
                row = row[:width]
                sheet.formulas.extend((number, sheet.headers[i]) for i, c in enumerate(row)
                                      if getattr(c, "data_type", None) == "f")
                yield _fitted([c.value for c in row], width)
        finally:
            book.close()
    sheet.batches = _batched(body(), batch_rows)
    return sheet


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
                found.append((cells, cell_text(header[left]).strip() if left < len(header) else ""))
        return found
    finally:
        book.close()
