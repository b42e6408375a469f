"""The bulletin as the office issues it: read back from the printed page, not from our own model.

The project's PDF of both demo districts (seed 000's township scorecard, seed 002's grid table), and
the DOCX and XLSX rendered to PDF by LibreOffice where `soffice` is installed (skipped, saying so,
where it is not: it is a Debian package, not part of `make test`): every row of the scorecard and
of the grid table reads on one line (no "20.0/0", no "界水/乡"), and the 版记 line is printed. The
chart's axis starts at 0; figures of one kind print in one style, and reconciliation refuses one
that does not; the title breaks only between words; the workbook prints landscape, one page wide."""
from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from gridpulse.bulletin import charts
from gridpulse.bulletin.document import title_lines
from gridpulse.bulletin.figures import Figure, Register, Source
from gridpulse.bulletin.reconcile import style_mismatch

from conftest import SEED_MONTHS, seed_workspace
from office_render import soffice_path, to_pdf


@pytest.fixture(scope="module")
def published(seed_months) -> dict[str, Path]:
    """Each demo district's month as published under its own settings: {kind: output folder}."""
    return {kind: seed_workspace(seed_months, kind) / "output" / period for kind, (period, _, _) in SEED_MONTHS.items()}


def _pdf_lines(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    return [line for page in pdf for line in page.get_textpage().get_text_range().splitlines()]


def _table_rows(docx: Path) -> list[list[str]]:
    """The body rows of the scorecard or the grid table, as the DOCX prints them."""
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[0].text in ("排名", "单位")
                 and len(t.rows[0].cells) > 5)
    return [[c.text for c in row.cells] for row in table.rows if not _is_header(row)]


def _is_header(row) -> bool:
    """A header row, repeated on each page (the grid table's header is two rows, seed 002's form)."""
    return row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None


def _unbroken(rows: list[list[str]], lines: list[str]) -> list[list[str]]:
    """Rows not found whole on one printed line, their cells in order."""
    def on_line(row, line):
        at = 0
        for cell in (c for c in row if c):
            at = line.find(cell, at)
            if at < 0:
                return False
            at += len(cell)
        return True
    return [row for row in rows if not any(on_line(row, line) for line in lines)]


def _imprinted(lines: list[str]) -> bool:
    return any(line.rstrip().endswith("印发") and "办" in line for line in lines)


@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_project_pdf_prints_every_row_on_one_line_and_the_imprint(published, kind):
    rows = _table_rows(published[kind] / "bulletin.docx")
    lines = _pdf_lines(published[kind] / "bulletin.pdf")
    assert len(rows) in (17, 65)
    assert _unbroken(rows, lines) == []
    assert _imprinted(lines)


def test_grid_bulletin_pdf_is_at_most_six_pages(published):
    assert len(pypdfium2.PdfDocument(str(published["grid"] / "bulletin.pdf"))) <= 6


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed: the DOCX and "
                                                   "XLSX are not rendered here; apt-get install libreoffice-writer-nogui")
@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_docx_rendered_by_libreoffice_prints_every_row_on_one_line_and_the_imprint(published, kind, tmp_path):
    docx = published[kind] / "bulletin.docx"
    lines = _pdf_lines(to_pdf(docx, tmp_path))
    assert _unbroken(_table_rows(docx), lines) == []
    assert _imprinted(lines)


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed: the XLSX is not rendered here")
def test_workbook_rendered_by_libreoffice_keeps_names_and_scores_on_one_line(published, tmp_path):
    sheet = load_workbook(published["township"] / "ranking.xlsx").worksheets[0]
    rows = [[str(v) if not isinstance(v, float) else f"{v:.2f}" for v in row]
            for row in sheet.iter_rows(min_row=3, values_only=True)]  # below the title and header rows
    pdf = to_pdf(published["township"] / "ranking.xlsx", tmp_path)
    assert len(pypdfium2.PdfDocument(str(pdf))) == 1  # landscape, one page wide: 17 units fit one page
    assert _unbroken(rows, _pdf_lines(pdf)) == []


def test_workbook_prints_landscape_one_page_wide_with_its_header_on_every_page(published):
    sheet = load_workbook(published["township"] / "ranking.xlsx").worksheets[0]
    assert sheet.title.startswith("2022-11")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$2"
    assert sheet.freeze_panes == "D3" and "2022年11月" in sheet.oddHeader.center.text
    # row 1 is the title with the district and the month, across the table; row 2 the header
    assert sheet["A1"].value == "渝水区2022年11月综治信息平台运行情况考核排名"
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{sheet.cell(row=1, column=sheet.max_column).coordinate}"]
    assert sheet["A2"].value == "排名" and sheet.cell(row=2, column=sheet.max_column).value == "总分"
    assert all(cell.border.bottom.style == "thin" for row in sheet.iter_rows(min_row=2) for cell in row)


def test_docx_carries_the_gbt_9704_elements(published):
    document = Document(str(published["township"] / "bulletin.docx"))
    texts = [p.text for p in document.paragraphs]
    assert document.core_properties.author == "渝水区平安渝水建设领导小组办公室"
    separator = document.paragraphs[0]._p.xml
    assert 'w:color="C00000"' in separator and "w:bottom" in separator  # the red line under the 版头
    assert any(t.startswith("附件：") for t in texts) and "附件" in texts  # the mention, and the 附件 page's label
    assert texts[-1].endswith("2022年12月5日印发") and "渝水区平安渝水建设领导小组办公室" in texts[-1]
    date = next(p for p in document.paragraphs if p.text == "2022年12月5日")
    assert date.paragraph_format.right_indent.pt == 64  # 右空四字 of 3号
    headings = [p for p in document.paragraphs if p.text.startswith(("一、", "二、", "4、", "（二）"))]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)
    assert not any("20.0\n" in c.text for t in document.tables for row in t.rows for c in row.cells)


def test_total_score_axis_starts_at_zero_and_carries_no_second_title():
    figure = charts.totals_figure(["甲", "乙", "丙"], [99.5, 81.14, 74.25])
    axes = figure.axes[0]
    assert axes.get_xlim()[0] == 0 and axes.get_xlim()[1] >= 100
    assert axes.get_title() == ""


def test_title_breaks_only_between_words_in_balanced_lines():
    lines = title_lines(["关于2022年11月份", "全区综治信息平台", "运行情况的通报"])
    assert lines == ["关于2022年11月份", "全区综治信息平台运行情况的通报"]
    assert title_lines(["关于", "短标题"]) == ["关于短标题"]


def test_a_figure_printed_out_of_its_kinds_style_fails_reconciliation():
    register = Register("2022-11")  # scores with 2 decimals, rates with 2
    source = Source("fct_score_monthly", (("org_id", "T1"),), "score")
    assert style_mismatch(Figure(source, 2, "8.30", "score"), register) is None
    assert "number_style" in style_mismatch(Figure(source, 1, "8.3", "score"), register)
    assert style_mismatch(Figure(source, 2, "8.3", "score"), register) is not None  # formatted by hand
