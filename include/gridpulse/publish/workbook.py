"""Ranking tables as CSV (UTF-8 with BOM, so Excel and WPS open it in Chinese) and XLSX."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

FONT = "宋体"
BELOW_STANDARD = PatternFill("solid", start_color="FDE2E2", end_color="FDE2E2")
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


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, table in tables.items():
        sheet = book.create_sheet(_sheet_name(title))
        sheet.append(list(table.columns))
        for row in table.itertuples(index=False):
            sheet.append([safe_text(v.item() if hasattr(v, "item") else v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(name=FONT, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        weights = table.attrs.get("weights", {})
        for header, column_cells in zip(table.columns, sheet.iter_cols(min_row=2)):
            for cell in column_cells:
                cell.font = Font(name=FONT)
                if isinstance(cell.value, (int, float)) and header in weights | {"总分": 0}:
                    cell.number_format = "0.00"
                    if cell.value < weights.get(header, 0):
                        cell.fill = BELOW_STANDARD
        for letter, header in zip((c.column_letter for c in sheet[1]), table.columns):
            # a Chinese character is two columns wide
            sheet.column_dimensions[letter].width = max(8, 2 * len(str(header)) + 2)
        sheet.freeze_panes = "A2"
    book.save(path)
