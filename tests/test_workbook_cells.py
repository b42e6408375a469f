"""Reading an export workbook cell by cell, in batches: a formula is kept as its text and its cell
listed (a cached value would be an empty cell); a blank row inside the data keeps the row numbers
of the rows after it; blank rows at the end are dropped when the sheet is landed."""
from __future__ import annotations

from datetime import datetime

import duckdb
from openpyxl import Workbook

from gridpulse.contract import Column, Table
from gridpulse.ingest.landing import land_file, landing_column
from gridpulse.ingest.workbook_cells import has_formulas, merged_header_ranges, read_sheet_rows, with_openpyxl


def _rows(sheet) -> list[list[str]]:
    return [row for batch in sheet.batches for row in batch]


def _landed_rows(path, headers: list[str]) -> list[tuple]:
    """The landing table of a workbook whose every header is a column of a made-up table."""
    table = Table("t", "表", "", (headers[0],), {h: Column(h, "string", False, h) for h in headers})
    con = duckdb.connect()
    landed = land_file(con, path, "t", table, {"columns": {}}, path.parent, batch_rows=1)
    columns = ", ".join(f'"{landing_column(i)}"' for i in range(len(headers)))
    return con.execute(f'SELECT rowid + 2, {columns} FROM "{landed.landing}" ORDER BY rowid').fetchall()


def test_formulas_blank_rows_and_numbers(tmp_path):
    path = tmp_path / "网格员.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["网格员编号", "姓名", "上岗日期"])
    sheet.append(["W1", '=HYPERLINK("http://x.example","点击")', 44562])
    sheet.append([None, None, None])
    sheet.append(["W3", "王五", "2022-01-03"])
    sheet.append([None, None, None])
    sheet["A7"] = None  # formatting far below the data
    book.save(path)

    cells = read_sheet_rows(path, batch_rows=2)
    assert cells.headers == ["网格员编号", "姓名", "上岗日期"]
    rows = _rows(cells)
    assert rows[:3] == [["W1", '=HYPERLINK("http://x.example","点击")', "44562"], ["", "", ""], ["W3", "王五", "2022-01-03"]]
    assert cells.formulas == [(2, "姓名")]
    assert cells.empty_headers == 0
    assert _landed_rows(path, cells.headers) == [
        (2, "W1", '=HYPERLINK("http://x.example","点击")', "44562"), (3, "", "", ""), (4, "W3", "王五", "2022-01-03")]


def test_a_workbook_without_formulas_reads_the_same_through_calamine(tmp_path):
    """Workbooks without formulas are read with calamine (fast), others with openpyxl: both give
    the same text cells, row numbers and header checks."""
    path = tmp_path / "组织机构.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["机构编码", "机构名称", "常住人口", "成立时间", ""])
    sheet.append(["T01", "珠珊镇", 41230, datetime(2022, 11, 3, 8, 30), None])
    sheet.append([None, None, None, None])
    sheet.append(["T02", " 罗坊镇 ", 12.5, "2022-11-04", None])
    sheet.append([None, None, None, None])
    book.save(path)

    assert not has_formulas(path)
    cells = read_sheet_rows(path, batch_rows=1)
    expected = [["T01", "珠珊镇", "41230", "2022-11-03 08:30:00"], ["", "", "", ""], ["T02", " 罗坊镇 ", "12.5", "2022-11-04"]]
    assert _rows(cells)[:3] == _rows(with_openpyxl(path, batch_rows=3))[:3] == expected
    assert cells.formulas == [] and cells.empty_headers == 0
    assert [row[1:] for row in _landed_rows(path, cells.headers)] == [tuple(row) for row in expected]

    sheet["B6"] = "=A2"
    sheet.merge_cells("C1:D1")
    book.save(path)
    assert has_formulas(path)
    formulas = read_sheet_rows(path, batch_rows=2)
    _rows(formulas)  # formulas are found as the rows are read
    assert formulas.formulas == [(6, "机构名称")]
    assert merged_header_ranges(path) == [("C1:D1", "常住人口")]


def test_a_sheet_that_starts_right_of_column_a_keeps_its_columns(tmp_path):
    """calamine starts its rows at the first used column; the cells stay under their headers."""
    path = tmp_path / "表.xlsx"
    book = Workbook()
    book.active["B1"], book.active["C1"], book.active["B2"], book.active["C2"] = "编号", "名称", "X1", "甲"
    book.save(path)
    cells = read_sheet_rows(path, batch_rows=10)
    assert cells.headers == ["", "编号", "名称"] and cells.empty_headers == 1
    assert _rows(cells) == [["", "X1", "甲"]]
