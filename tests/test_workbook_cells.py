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


def test_a_workbook_without_formulas_reads_the_same_through_calamine(tmp_path):
    """Workbooks without formulas are read with calamine (fast), others with openpyxl: both give
    the same text cells, row numbers and header checks."""
    from datetime import datetime

    from gridpulse.load.workbook_cells import _read_with_openpyxl, has_formulas, merged_header_ranges

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
    cells = read_sheet(path)
    assert cells.frame.to_dict("records") == _read_with_openpyxl(path).frame.to_dict("records") == [
        {"机构编码": "T01", "机构名称": "珠珊镇", "常住人口": "41230", "成立时间": "2022-11-03 08:30:00"},
        {"机构编码": "", "机构名称": "", "常住人口": "", "成立时间": ""},
        {"机构编码": "T02", "机构名称": " 罗坊镇 ", "常住人口": "12.5", "成立时间": "2022-11-04"},
    ]
    assert cells.formulas == [] and cells.empty_headers == 0

    sheet["B6"] = "=A2"
    sheet.merge_cells("C1:D1")
    book.save(path)
    assert has_formulas(path)
    assert read_sheet(path).formulas == [(6, "机构名称")]
    assert merged_header_ranges(path) == [("C1:D1", "常住人口")]
