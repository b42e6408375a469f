"""The bulletin as the office issues it: read back from the printed page, not from our own model.

The project's PDF of both demo districts (seed 000's township scorecard, seed 002's grid table), and
the DOCX and XLSX rendered to PDF by LibreOffice where `soffice` is installed (skipped, saying so,
where it is not: it is a Debian package, not part of `make test`): every row of the scorecard and
of the grid table reads on one line (no "20.0/0", no "界水/乡"), and the 版记 line is printed. The
chart's axis starts at 0; figures of one kind print in one style, and reconciliation refuses one
that does not; the title breaks only between words; the workbook prints landscape, one page wide."""
from __future__ import annotations

import base64
from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from gridpulse.bulletin import charts, page
from gridpulse.bulletin.document import title_lines
from gridpulse.bulletin.figures import Figure, Register, Source
from gridpulse.bulletin.reconcile import style_mismatch

from browser import CHROMIUM, NOT_INSTALLED, Browser
from conftest import SEED_MONTHS, seed_workspace
from office_render import soffice_path, to_pdf

NO_SOFFICE = "LibreOffice (soffice) is not installed: the DOCX and XLSX are not rendered here; tools/install_print_tools.sh"
NO_FANDOL = "the Fandol fonts are not installed (tools/install_print_tools.sh): the PDF falls back to Noto"


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


def test_grid_bulletin_pdf_is_at_most_seven_pages(published):
    # GB/T 9704's 22 lines of 28 characters and the 版头's blank lines: 7 pages (6 at 25.6 pt lines)
    assert len(pypdfium2.PdfDocument(str(published["grid"] / "bulletin.pdf"))) <= 7


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_docx_rendered_by_libreoffice_prints_every_row_on_one_line_and_the_imprint(published, kind, tmp_path):
    docx = published[kind] / "bulletin.docx"
    lines = _pdf_lines(to_pdf(docx, tmp_path))
    assert _unbroken(_table_rows(docx), lines) == []
    assert _imprinted(lines)




def _printed_sizes(pdf: Path) -> list[float]:
    """The printed size in pt of every Chinese character of the PDF: its loose box's width, which is
    the font size times the page's scale for a full-width character."""
    sizes = []
    for sheet in pypdfium2.PdfDocument(str(pdf)):
        text = sheet.get_textpage()
        for i in range(text.count_chars()):
            if ord(text.get_text_range(i, 1)[:1] or " ") >= 0x4E00:
                left, _, right, _ = text.get_charbox(i, loose=True)
                sizes.append(right - left)
    return sizes


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_workbook_prints_every_name_and_code_whole_at_9_pt_or_more(published, kind, tmp_path):
    sheet = load_workbook(published[kind] / "ranking.xlsx").worksheets[0]
    rows = [[str(v) for v in row[:3]] for row in sheet.iter_rows(min_row=3, values_only=True)]  # rank, code, name
    pdf = to_pdf(published[kind] / "ranking.xlsx", tmp_path)
    lines = _pdf_lines(pdf)
    assert all(len(code) in (9, 12, 15) for _, code, _ in rows)  # the seeds' codes: township, village, grid
    assert _unbroken(rows, lines) == []  # rank, the whole code and the whole name on one printed line
    assert min(_printed_sizes(pdf)) >= 9 - 0.05
    if kind == "township":
        assert len(pypdfium2.PdfDocument(str(pdf))) == 1  # landscape: 17 units fit one page


def test_workbook_prints_scores_in_the_bulletins_style(published):
    grid = load_workbook(published["grid"] / "ranking.xlsx").worksheets[0]
    township = load_workbook(published["township"] / "ranking.xlsx").worksheets[0]
    assert grid.cell(row=3, column=grid.max_column).number_format == "0"      # 110, as seed 002 prints it
    assert township.cell(row=3, column=township.max_column).number_format == "0.00"
    assert grid["B3"].number_format == "@" and isinstance(grid["B3"].value, str)


def test_workbook_prints_landscape_with_its_header_on_every_page(published):
    sheet = load_workbook(published["township"] / "ranking.xlsx").worksheets[0]
    assert sheet.title.startswith("2022-11")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.scale >= 86
    assert sheet.print_title_rows == "$1:$2"
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
    # 百官街道's register numbered September 2021's bulletin 45 (its profile's doc_numbers), as seed 002 prints
    assert [p.text for p in Document(str(published["grid"] / "bulletin.docx")).paragraphs][1] == "百办〔2021〕45号"


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_docx_in_libreoffice_has_as_many_pages_as_the_pdf(published, kind, tmp_path):
    """One layout, two renderers: the DOCX as LibreOffice prints it with the fonts the PDF embeds."""
    docx_pages = len(pypdfium2.PdfDocument(str(to_pdf(published[kind] / "bulletin.docx", tmp_path))))
    assert docx_pages == len(pypdfium2.PdfDocument(str(published[kind] / "bulletin.pdf")))


def _line_box(pdf: Path, wanted: str) -> tuple[float, float, float]:
    """(page width, left, right) in pt of the first line the PDF prints that is `wanted` alone; the
    boxes are the characters' advances (loose), not their ink."""
    for printed in pypdfium2.PdfDocument(str(pdf)):
        text = printed.get_textpage()
        whole = text.get_text_range()
        at = next((m for m in range(len(whole)) if whole.startswith(wanted, m)
                   and whole[m + len(wanted):m + len(wanted) + 1] in ("", "\r", "\n")), None)
        if at is not None:
            boxes = [text.get_charbox(i, loose=True) for i in range(at, at + len(wanted))]
            return printed.get_width(), min(b[0] for b in boxes), max(b[2] for b in boxes)
    raise AssertionError(f"{wanted} not printed on a line of its own")


@pytest.mark.parametrize("kind", list(SEED_MONTHS))
def test_signature_date_ends_four_characters_in_from_the_right_margin(published, kind):
    """右空四字, measured on the printed page: the date's last character ends 4 x 16 pt left of the
    right margin (26 mm), and the issuer is centred over the date or ends at the margin."""
    bulletin = Document(str(published[kind] / "bulletin.docx"))
    date = next(p.text for p in bulletin.paragraphs if p.text.endswith("日") and p.text[:2] == "20" and len(p.text) < 12)
    width, _, right = _line_box(published[kind] / "bulletin.pdf", date)
    margin = width - page.MARGINS_MM["right"] * page.PT_PER_MM
    assert abs((margin - right) - 4 * page.BODY_PT) < 1.0


@pytest.mark.skipif(page.fandol_dir() is None, reason=NO_FANDOL)
def test_pdf_embeds_the_gongwen_fonts_free_stand_ins(published):
    pdf = (published["grid"] / "bulletin.pdf").read_bytes()
    for name in (b"FandolFang", b"FandolSong-Bold", b"FandolHei", b"FandolKai"):
        assert name in pdf


def test_doc_number_printed_under_the_issuer_when_the_district_sets_a_pattern(seed_months, monkeypatch, tmp_path):
    """发文字号 from the district's `doc_number` pattern and the month's running number, in the PDF,
    the DOCX and the HTML; none where the district sets no pattern."""
    from gridpulse import config
    from gridpulse.bulletin.build import build_bulletin
    from gridpulse.bulletin.docx_writer import write_docx
    from gridpulse.bulletin.render import html_text
    from gridpulse.bulletin.typst_writer import write_pdf
    from gridpulse.warehouse.marts import read_month

    from conftest import point_at

    point_at(monkeypatch, seed_months)
    marts = read_month(config.paths().warehouse, "2022-11")
    plain = build_bulletin(marts, "yushui_township_2022")
    assert plain.letterhead.doc_number == ""
    settings = config.settings()
    patched = settings | {"district": settings["district"] | {"doc_number": "渝综治办〔{year}〕{number}号"}}
    monkeypatch.setattr(config, "settings", lambda: patched)
    bulletin = build_bulletin(marts, "yushui_township_2022")
    assert bulletin.letterhead.doc_number == "渝综治办〔2022〕11号"  # signed 2022-12-05; November's bulletin
    write_pdf(bulletin, tmp_path / "b.pdf")
    write_docx(bulletin, tmp_path / "b.docx")
    assert "渝综治办〔2022〕11号" in _pdf_lines(tmp_path / "b.pdf")[:4]
    assert [p.text for p in Document(str(tmp_path / "b.docx")).paragraphs][1] == "渝综治办〔2022〕11号"
    assert "渝综治办〔2022〕11号" in html_text(bulletin)
    # the office's register gave November another number and fixed the dates: its own settings say so
    register = {"doc_numbers": {"2022-11": 87}, "issue_dates": {"2022-11": "2022-12-02"}, "print_dates": {"2022-11": "2022-12-01"}}
    registered = patched | {"district": patched["district"] | register}
    monkeypatch.setattr(config, "settings", lambda: registered)
    letterhead = build_bulletin(marts, "yushui_township_2022").letterhead
    assert (letterhead.doc_number, letterhead.signature_date, letterhead.print_date) == (
        "渝综治办〔2022〕87号", "2022年12月2日", "2022年12月1日")


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


def _rollup_like_bulletin():
    """A bulletin holding the rollup's figures table: rollup.yml's 13 headers, three districts."""
    from gridpulse.bulletin.document import Bulletin, Letterhead, Table
    from gridpulse.config import CONFIG_DIR, read_yaml

    labels = ["县（区）"] + [f["label"] for f in read_yaml(CONFIG_DIR / "rollup.yml")["figures"]]
    row = ["仙女湖区", "210", "210", "100.00%", "186", "88.57%", "5060", "153", "153", "100.00%", "87", "86", "98.85%"]
    table = Table("各县（区）主要指标", labels, [row, row, row])
    letterhead = Letterhead("新余市平安新余建设领导小组办公室", "2022年12月5日", "新余市平安新余建设领导小组办公室", "2022年12月5日")
    return Bulletin("rollup", "2022-11", ["新余市2022年11月", "汇总通报"], letterhead, "各县（区）综治中心",
                    [table], "跨县（区）考核排名", [], Register("2022-11")), labels


def _headers_whole(labels: list[str], lines: list[str]) -> list[str]:
    """Header lines (the words, and the unit in brackets) not printed whole on one line."""
    from gridpulse.bulletin.table_layout import header_lines

    tokens = {token for line in lines for token in line.split()}
    return [part for label in labels for part in header_lines(label) if part not in tokens]


def test_rollup_figures_table_goes_landscape_with_no_header_broken_one_character_a_line(tmp_path):
    from gridpulse.bulletin.table_layout import layout
    from gridpulse.bulletin.typst_writer import write_pdf

    bulletin, labels = _rollup_like_bulletin()
    assert layout(bulletin.blocks[0]).landscape
    write_pdf(bulletin, tmp_path / "rollup.pdf")
    assert _headers_whole(labels, _pdf_lines(tmp_path / "rollup.pdf")) == []


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
def test_rollup_figures_table_in_libreoffice_breaks_no_header_one_character_a_line(tmp_path):
    from gridpulse.bulletin.docx_writer import write_docx

    bulletin, labels = _rollup_like_bulletin()
    write_docx(bulletin, tmp_path / "rollup.docx")
    assert _headers_whole(labels, _pdf_lines(to_pdf(tmp_path / "rollup.docx", tmp_path / "lo"))) == []


def _short_table_near_a_pages_foot(paragraphs: int = 6):
    """Most of a page of text, then a 17-row table (as a district's scorecard): it fits a page,
    but not the room left on the first; then a 60-row table, longer than any page. `paragraphs`:
    how many make most of a page (6 on the PDF's page; a browser prints larger type and the HTML's
    page fills at 8-18, where it split the table before the rule)."""
    from gridpulse.bulletin.document import Bulletin, Heading, Letterhead, Paragraph, Table

    header = ["排名", "单位", "事项总量（20）", "网格员上报（5）", "总分"]
    short = Table("各单位得分情况", header, [[str(n), f"短表单位{n:02d}", "20.00", "5.00", "25.00"] for n in range(1, 18)])
    long = Table("各网格得分情况", header, [[str(n), f"长表单位{n:02d}", "20.00", "5.00", "25.00"] for n in range(1, 61)])
    text = [Paragraph("本月各单位按照考核办法开展网格化服务管理工作，现将有关情况通报如下。") for _ in range(paragraphs)]
    letterhead = Letterhead("试验县平安建设领导小组办公室", "2022年12月5日", "试验县平安建设领导小组办公室", "2022年12月5日")
    blocks = [*text, Heading("1、各单位得分情况", 3), short, Heading("2、各网格得分情况", 3), long]
    return Bulletin("any", "2022-11", ["试验县2022年11月", "考核通报"], letterhead, "各乡镇", blocks, "考核办法", [],
                    Register("2022-11")), short, long


def _pages_of(pdf: Path, names: list[str]) -> set[int]:
    # without spaces: LibreOffice sets a space between Chinese and digits
    pages = ["".join(printed.get_textpage().get_text_range().split()) for printed in pypdfium2.PdfDocument(str(pdf))]
    found = {name: [n for n, text in enumerate(pages) if name in text] for name in names}
    assert all(found.values()), [name for name, at in found.items() if not at]
    return {at[0] for at in found.values()}


def _assert_short_kept_long_broken(pdf: Path, short, long) -> None:
    assert len(_pages_of(pdf, [row[1] for row in short.rows] + ["1、各单位得分情况"])) == 1
    assert len(_pages_of(pdf, [row[1] for row in long.rows])) >= 2


def test_a_table_that_fits_a_page_is_never_split_in_the_pdf(tmp_path):
    """The 17-row table moves to the next page whole, with its heading, rather than leave its last
    rows alone there; the 60-row table still breaks between rows."""
    from gridpulse.bulletin.typst_writer import write_pdf

    bulletin, short, long = _short_table_near_a_pages_foot()
    write_pdf(bulletin, tmp_path / "b.pdf")
    _assert_short_kept_long_broken(tmp_path / "b.pdf", short, long)


@pytest.mark.external
@pytest.mark.skipif(CHROMIUM is None, reason=NOT_INSTALLED)
def test_a_table_that_fits_a_page_is_never_split_when_the_html_is_printed(tmp_path):
    """The HTML bulletin printed from a browser (Chromium's print to PDF, A4) keeps the same rule."""
    from gridpulse.bulletin.render import write_html

    bulletin, short, long = _short_table_near_a_pages_foot(paragraphs=12)
    write_html(bulletin, tmp_path / "b.html")
    with Browser(tmp_path / "profile") as browser:
        browser.open((tmp_path / "b.html").as_uri(), 1280, mobile=False)
        printed = browser.page("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True)
    (tmp_path / "b.pdf").write_bytes(base64.b64decode(printed["data"]))
    _assert_short_kept_long_broken(tmp_path / "b.pdf", short, long)


@pytest.mark.external
@pytest.mark.skipif(soffice_path() is None, reason=NO_SOFFICE)
def test_a_table_that_fits_a_page_is_never_split_in_the_docx(tmp_path):
    from gridpulse.bulletin.docx_writer import write_docx
    from gridpulse.bulletin.typst_writer import write_pdf

    bulletin, short, long = _short_table_near_a_pages_foot()
    write_docx(bulletin, tmp_path / "b.docx")
    printed = to_pdf(tmp_path / "b.docx", tmp_path / "lo")
    _assert_short_kept_long_broken(printed, short, long)
    write_pdf(bulletin, tmp_path / "b.pdf")
    assert len(pypdfium2.PdfDocument(str(printed))) == len(pypdfium2.PdfDocument(str(tmp_path / "b.pdf")))
