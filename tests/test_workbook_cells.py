"""Reading an export workbook cell by cell: a formula is kept as its text and its cell listed (pandas
would give its missing cached value, an empty cell); a blank row inside the data keeps the row
numbers of the rows after it; blank rows at the end are dropped."""
from __future__ import annotations

from openpyxl import Workbook

from gridpulse.load.workbook_cells import read_sheet


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

    cells = read_sheet(path)
    assert cells.frame.to_dict("records") == [
        {"网格员编号": "W1", "姓名": '=HYPERLINK("http://x.example","点击")', "上岗日期": "44562"},
        {"网格员编号": "", "姓名": "", "上岗日期": ""},
        {"网格员编号": "W3", "姓名": "王五", "上岗日期": "2022-01-03"},
    ]
    assert cells.formulas == [(2, "姓名")]
    assert cells.empty_headers == 0
