"""Text that a spreadsheet would run as a formula is written to XLSX and CSV as plain text: an org
name such as =HYPERLINK(...) in an export must not become a live formula in the ranking workbook
or CSV staff open; numbers stay numbers. In the PDF, a name that Typst would read as markup or code
("#read(...)", "= 标题", "$y$") prints as itself."""
from __future__ import annotations

import csv

import pandas as pd
from openpyxl import load_workbook

from gridpulse.files.workbook import write_csv, write_xlsx

DANGEROUS = ['=HYPERLINK("http://x.example","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1"]


def _table() -> pd.DataFrame:
    names = DANGEROUS + ["界水乡"]
    return pd.DataFrame({"排名": range(1, len(names) + 1), "机构编码": [f"3605020{i:02d}" for i in range(len(names))],
                         "单位": names, "总分": [-3.5] + [90.25] * (len(names) - 1)})


def test_xlsx_cells_are_never_formulas(tmp_path):
    path = tmp_path / "ranking.xlsx"
    write_xlsx({"综治信息平台运行情况考核": _table()}, path)
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    names = [row[2].value for row in sheet.iter_rows(min_row=3)]  # below the title and header rows
    assert names[: len(DANGEROUS)] == ["'" + text for text in DANGEROUS] and names[-1] == "界水乡"
    assert [row[3].value for row in sheet.iter_rows(min_row=3)][0] == -3.5  # a negative score is still a number


def test_csv_fields_never_start_a_formula(tmp_path):
    path = tmp_path / "ranking.csv"
    write_csv({"综治信息平台运行情况考核": _table()}, path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["单位"] for r in rows][: len(DANGEROUS)] == ["'" + text for text in DANGEROUS]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value.replace(".", "", 1).lstrip("-").isdigit(), value


# Typst markup and code in a unit name: the PDF's template reads names as data and prints them as
# text, so none of these can start a heading, a list, maths, a label, a reference or a function call
TYPST_LIKE = ["= 标题", "- 列表", "+ 编号", "#read(\"/etc/passwd\")", "#[x]", "$y$", "*粗*", "_斜_", "\\", "<a>", "@b",
              "`代码`", "// 注释", "/* 注释 */", "#set page(width: 1cm)"]


def test_pdf_prints_markup_like_names_as_text(tmp_path):
    import pypdfium2

    from gridpulse.bulletin.document import Bulletin, Heading, Letterhead, Paragraph, Table
    from gridpulse.bulletin.figures import Register
    from gridpulse.bulletin.typst_writer import write_pdf

    names = [text.strip() for text in DANGEROUS] + TYPST_LIKE
    table = Table("考核得分", ["排名", "单位", "总分"], [[str(n + 1), name, "90.25"] for n, name in enumerate(names)],
                  numeric_from=2)
    bulletin = Bulletin("yushui_grid_ops_2022", "2022-11", ["关于", "#[标题]"],
                        Letterhead("=办公室", "2022年12月5日", "=办公室", "2022年12月5日"), "$各单位$",
                        [Heading("#一、", 1), Paragraph(" ".join(TYPST_LIKE)), table], "*附件*", [], Register("2022-11"))
    write_pdf(bulletin, tmp_path / "bulletin.pdf")
    pdf = pypdfium2.PdfDocument(str(tmp_path / "bulletin.pdf"))
    assert all(round(page.get_width()) == 595 for page in pdf)  # A4: "#set page(width: 1cm)" set nothing
    lines = [line for page in pdf for line in page.get_textpage().get_text_range().splitlines()]
    for name in names:
        assert any(name in line for line in lines), name
    for text in ("#[标题]", "$各单位$：", "#一、", "*附件*", "=办公室"):
        assert any(text in line for line in lines), text
