"""The bulletin as DOCX, laid out after GB/T 9704-2012 (党政机关公文格式): A4; margins 37 mm top,
35 mm bottom, 28 mm left, 26 mm right; title in 2号 小标宋; body in 3号 仿宋; 一、 headings in 黑体,
（一） in 楷体; page numbers "— n —" in 4号 宋体. Font names are set for East Asian text (w:eastAsia),
and the default template's theme fonts, which Word would prefer over them, are removed."""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from gridpulse.bulletin.document import Bulletin, Chart, Heading, Paragraph, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE = {"2号": Pt(22), "3号": Pt(16), "4号": Pt(14), "5号": Pt(10.5), "小5号": Pt(9)}
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_font(r_pr_owner, name: str) -> None:
    """Name one font for Latin and East Asian text, dropping theme fonts that would override it."""
    r_pr = r_pr_owner.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        r_pr_owner.insert(0, r_pr) if r_pr_owner.tag != qn("w:style") else r_pr_owner.append(r_pr)
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _run(paragraph, text: str, font: str = BODY_FONT, size=SIZE["3号"], bold: bool = False, colour=None):
    run = paragraph.add_run(text)
    set_font(run._element, font)
    run.font.size, run.font.bold = size, bold
    if colour:
        run.font.color.rgb = colour
    return run


def _spacing(paragraph, indent: bool = True, exact=Pt(28)) -> None:
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, exact  # 22 lines a page
    form.space_before = form.space_after = Pt(0)
    if indent:
        form.first_line_indent = Pt(32)  # two characters of 3号


def _defaults(document) -> None:
    """Body text defaults: 仿宋 3号, in docDefaults and the Normal style, without theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if r_pr_default is not None:
        set_font(r_pr_default, BODY_FONT)
    normal = document.styles["Normal"]
    set_font(normal.element, BODY_FONT)
    normal.font.size = SIZE["3号"]
    for style in document.styles:
        if getattr(style, "element", None) is not None and style.element.rPr is not None:
            fonts = style.element.rPr.find(qn("w:rFonts"))
            if fonts is not None:
                for attribute in THEME_ATTRIBUTES:
                    fonts.attrib.pop(qn(attribute), None)


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", PAGE_NUMBER_FONT, SIZE["4号"])
    _page_field(_run(footer, "", PAGE_NUMBER_FONT, SIZE["4号"]))
    _run(footer, " —", PAGE_NUMBER_FONT, SIZE["4号"])


def _page_field(run) -> None:
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _heading(document, block: Heading) -> None:
    paragraph = document.add_paragraph()
    _spacing(paragraph)
    font, bold = {1: (HEI_FONT, False), 2: (KAI_FONT, False)}.get(block.level, (BODY_FONT, True))
    _run(paragraph, block.text, font, bold=bold)


def _table(document, block: Table) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(caption, indent=False)
    _run(caption, block.caption, HEI_FONT, SIZE["5号"])
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # a row's cells once per row: table.cell(r, c) walks the whole table on every call, which is
    # quadratic in rows (a province's 1,105 townships took minutes)
    for r, (row, table_row) in enumerate(zip([block.header] + block.rows, table.rows)):
        cells = table_row.cells
        for c, text in enumerate(row):
            cell = cells[c]
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, text, HEI_FONT if r == 0 else BODY_FONT, SIZE["小5号"], bold=r == 0)
            if r > 0 and (r - 1, c) in block.highlight:
                _shade(cell, "FDE2E2")
    _repeat_header(table.rows[0])


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._element.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _chart(document, block: Chart) -> None:
    document.add_picture(io.BytesIO(block.png), width=Cm(15))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(caption, block.caption, BODY_FONT, SIZE["5号"])


def _block(document, block) -> None:
    if isinstance(block, Heading):
        _heading(document, block)
    elif isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        _spacing(paragraph)
        _run(paragraph, block.text)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        _chart(document, block)


def write_docx(bulletin: Bulletin, path: Path) -> None:
    document = Document()
    _defaults(document)
    _page(document)
    document.core_properties.title = bulletin.title
    issuer = document.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(issuer, bulletin.issuer, TITLE_FONT, SIZE["2号"], colour=RGBColor(0xC0, 0x00, 0x00))
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, indent=False, exact=Pt(35))
    _run(title, bulletin.title, TITLE_FONT, SIZE["2号"])
    addressees = document.add_paragraph()
    _spacing(addressees, indent=False)
    _run(addressees, f"{bulletin.addressees}：")
    for block in bulletin.blocks:
        _block(document, block)
    for text in (bulletin.issuer, bulletin.signature_date):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _spacing(line, indent=False)
        _run(line, text)
    heading = document.add_paragraph()
    heading.add_run().add_break(WD_BREAK.PAGE)
    _run(heading, bulletin.appendix_title, HEI_FONT)
    for block in bulletin.appendix:
        _block(document, block)
    document.save(str(path))
