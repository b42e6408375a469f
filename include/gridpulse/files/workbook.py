"""Ranking tables as CSV (UTF-8 with BOM, so Excel and WPS open it in Chinese) and XLSX."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.page import PageMargins

FONT = "宋体"
FONT_PT = 10.5          # 5号, as the bulletin's tables
LEAST_SCALE = 86        # printed at no less than 86 %: 10.5 pt text never prints below 9 pt
PAGE_UNITS = 100        # A4 landscape less the margins, in column-width units as LibreOffice prints them (seen: about 7.7 pt each)
BELOW_STANDARD = PatternFill("solid", start_color="FDE2E2", end_color="FDE2E2")
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
KEY_COLUMNS = 3  # 排名, 机构编码, 单位: kept in view when scrolling right
HEADER_ROW = 2   # row 1 is the title (district, month, scheme)
# Text that a spreadsheet would run as a formula is written as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """All schemes in one CSV, with the scheme in the first column."""
    frames = [table.assign(**{"考核方案": title})[["考核方案", *table.columns]] for title, table in tables.items()]
    combined = pd.concat(frames, ignore_index=True).map(safe_text)
    # CRLF rows, as Excel writes them: a cell holding a line break is then quoted, not split
    combined.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.2f", lineterminator="\r\n")


def _sheet_name(title: str) -> str:
    cleaned = "".join("_" if ch in '/\\[]:*?' else ch for ch in title)
    return cleaned[:31]  # Excel's limit


def _month_zh(period: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月" if period else ""


def _heading(table: pd.DataFrame, title: str) -> str:
    """The title row's text: district, month and scheme, so a sheet printed or forwarded alone
    still says whose ranking of which month it is. A table that is not a ranking says its own heading."""
    if table.attrs.get("heading"):
        return str(table.attrs["heading"])
    return f"{table.attrs.get('district', '')}{_month_zh(table.attrs.get('period', ''))}{title}排名"


def _title_row(sheet, text: str, width: int) -> None:
    """Row 1: the title across the table's width, above the header row, with no grid lines."""
    sheet.append([text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    cell = sheet.cell(row=1, column=1)
    cell.font = Font(name=FONT, bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 24


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, table in tables.items():
        period = table.attrs.get("period", "")
        sheet = book.create_sheet(_sheet_name(f"{period} {title}" if period else title))
        _title_row(sheet, _heading(table, title), len(table.columns))
        sheet.append(list(table.columns))
        for row in table.itertuples(index=False):
            sheet.append([safe_text(v.item() if hasattr(v, "item") else v) for v in row])
        for cell in sheet[HEADER_ROW]:
            cell.font = Font(name=FONT, bold=True, size=FONT_PT)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        _cells(sheet, table)
        widths = _widths(sheet, table)
        for row in sheet.iter_rows(min_row=HEADER_ROW):
            for cell in row:
                cell.border = GRID
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=KEY_COLUMNS + 1).coordinate
        _print_setup(sheet, title, period, sum(widths))
    book.save(path)


def _cells(sheet, table: pd.DataFrame) -> None:
    """Body cells at 5号; scores in the bulletin's style (`score_decimals`: the grid scheme's whole
    points print 20, not 20.00), shaded below their item's full marks; codes and names as text."""
    weights = table.attrs.get("weights", {})
    decimals = table.attrs.get("score_decimals", 2)
    score_format = "0" if decimals == 0 else "0." + "0" * decimals
    for header, column_cells in zip(table.columns, sheet.iter_cols(min_row=HEADER_ROW + 1)):
        for cell in column_cells:
            cell.font = Font(name=FONT, size=FONT_PT)
            cell.alignment = Alignment(vertical="center")
            if isinstance(cell.value, str):
                cell.number_format = "@"  # a 15-digit code stays text: never 3.30604E+14, never rounded
            elif isinstance(cell.value, (int, float)) and header in weights | {"总分": 0}:
                cell.number_format = score_format
                if cell.value < weights.get(header, 0):
                    cell.fill = BELOW_STANDARD


WEIGHT_IN_BRACKETS = re.compile(r"^(.+?)(（[^（）]*\d[^（）]*）)$")


def text_units(value) -> float:
    """A cell's printed width in column-width units: a Chinese character two, a digit or letter one
    and a little (宋体 at 10.5 pt, as LibreOffice and Excel print it)."""
    return sum(2.0 if ord(ch) >= 0x2E80 else 1.15 for ch in str(value))


def _widths(sheet, table: pd.DataFrame) -> list[float]:
    """Each column as wide as its longest cell on one line (a name or a code whole, a number never
    wrapped); a header longer than that wraps within it, at most in three lines."""
    widths, lines = [], 1
    for letter, column_cells in zip((c.column_letter for c in sheet[HEADER_ROW]),
                                    sheet.iter_cols(min_row=HEADER_ROW + 1, values_only=True)):
        header = str(sheet[f"{letter}{HEADER_ROW}"].value)
        body = max([text_units(_printed(v)) for v in column_cells] + [0.0])
        weighted = WEIGHT_IN_BRACKETS.match(header)  # "事项总量（20）" wraps before its bracket, never inside it
        parts = [weighted.group(1), weighted.group(2)] if weighted else [header]
        width = round(max(body, text_units(parts[-1]), text_units(parts[0]) / 3, 4.0) + 1.2, 1)
        sheet.column_dimensions[letter].width = width
        widths.append(width)
        lines = max(lines, sum(math.ceil(text_units(part) / (width - 1.2)) for part in parts))
    sheet.row_dimensions[HEADER_ROW].height = 13.5 * lines  # a wrapped header shows all its lines
    return widths


def _printed(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _print_setup(sheet, title: str, period: str, width_units: float) -> None:
    """A4 landscape, the title and header rows on every printed page, and the scheme and month printed
    at the top of each page. Scaled to one page wide where that keeps the text at 9 pt or more;
    a wider table goes on in pages to the right rather than printing smaller."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.scale = max(LEAST_SCALE, min(100, int(100 * PAGE_UNITS / width_units)))
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.print_title_rows = f"1:{HEADER_ROW}"  # the title and the header on every printed page
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.7, bottom=0.5, header=0.3, footer=0.25)
    sheet.oddHeader.center.text = f"{_month_zh(period)}{title}排名"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
