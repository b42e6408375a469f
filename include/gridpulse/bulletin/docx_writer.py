"""The bulletin as DOCX, laid out after GB/T 9704-2012 (党政机关公文格式) from the page description
the PDF and the HTML share (page.py): A4 and its margins; 22 lines of 28 characters (exact 28 pt
line spacing, characters 0.25 pt closer); the 版头 (issuer in red, the 发文字号) over a red separator;
title in 2号 小标宋, broken between words; body in 3号 仿宋; 一、 headings in 黑体, （一） in 楷体, every
heading two characters in and kept with what follows; the 附件说明, then issuer and date with room for
the seal (date 右空四字); the 附件 on its own page ("附件" top left, its title centred); the 版记 (抄送,
印发机关 and 印发日期 between rules) at the foot of the last page; page numbers "— n —" in 4号 宋体 at
the outer corners. Tables have column widths from their content (table_layout), every border drawn,
and go on a landscape page when they are too wide. Font names are set for East Asian text
(w:eastAsia), with the free Fandol fonts named as their fallbacks (w:altName); the default
template's theme fonts, which Word would prefer over them, are removed."""
from __future__ import annotations

import io
from copy import deepcopy
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from gridpulse.bulletin import page
from gridpulse.bulletin.document import Bulletin, Chart, Heading, Paragraph, Table, title_lines
from gridpulse.bulletin.table_layout import CELL_LINE, CELL_PADDING_MM, header_lines, layout

TITLE_FONT = page.FONTS["title"][0]
BODY_FONT = page.FONTS["body"][0]
HEI_FONT = page.FONTS["hei"][0]
KAI_FONT = page.FONTS["kai"][0]
PAGE_NUMBER_FONT = page.FONTS["song"][0]
SIZE = {"2号": Pt(22), "3号": Pt(16), "小3号": Pt(15), "4号": Pt(14), "5号": Pt(10.5), "小5号": Pt(9)}
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
RED = RGBColor(0xC0, 0x00, 0x00)
CHAR = Pt(page.BODY_PT)  # one character of the 3号 body: GB/T 9704 measures indents in characters
TEXT_WIDTH = Mm(page.TEXT_WIDTH_MM)


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
    if size == SIZE["3号"]:  # 28 characters a line, as the PDF sets them
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round(page.TRACKING_PT * 20)))
        r_pr = run._element.get_or_add_rPr()
        later = next((e for e in r_pr if e.tag in (qn("w:w"), qn("w:kern"), qn("w:position"), qn("w:sz"))), None)
        later.addprevious(spacing) if later is not None else r_pr.append(spacing)  # the schema's order
    if colour:
        run.font.color.rgb = colour
    return run


LINE_PITCH = Pt(page.LINE_PT)  # 22 lines a page


def _no_autospace(paragraph) -> None:
    """No space between Chinese and digits ("2975条", as 公文 print and the PDF sets them): LibreOffice
    adds one unless each paragraph says not to."""
    p_pr = paragraph._p.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        later = next((e for e in p_pr if e.tag in (qn("w:spacing"), qn("w:ind"), qn("w:jc"), qn("w:rPr"))), None)
        later.addprevious(element) if later is not None else p_pr.append(element)


def _spacing(paragraph, indent: bool = True, exact=LINE_PITCH) -> None:
    _no_autospace(paragraph)
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
    normal.paragraph_format.widow_control = True  # no line alone at a page's foot or head, as the PDF
    for style in document.styles:
        if getattr(style, "element", None) is not None and style.element.rPr is not None:
            fonts = style.element.rPr.find(qn("w:rFonts"))
            if fonts is not None:
                for attribute in THEME_ATTRIBUTES:
                    fonts.attrib.pop(qn(attribute), None)


def _font_table(document) -> None:
    """Each 公文 font named in the font table with its free fallback (w:altName) and the GB 2312
    character set: a Word or WPS without 仿宋_GB2312 then takes FandolFang, or another GB 2312 serif."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname).endswith("fontTable.xml"))
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{fallback}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"swiss" if role == "hei" else "roman"}"/><w:pitch w:val="variable"/></w:font>'
        for role, (name, fallback, _) in page.FONTS.items())
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")


def _page(document) -> None:
    """Page numbers "— n —" in 4号 宋体, 7 mm below the text block: odd pages at the right, even
    pages at the left, one character in."""
    section = document.sections[0]
    _portrait(section)
    document.settings.odd_and_even_pages_header_footer = True
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
        form = paragraph.paragraph_format
        form.space_before = form.space_after = Pt(0)
        form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(page.PAGE_NUMBER_PT)
        setattr(form, f"{side}_indent", Pt(page.PAGE_NUMBER_PT))
        _run(paragraph, "— ", PAGE_NUMBER_FONT, SIZE["4号"])
        _page_field(_run(paragraph, "", PAGE_NUMBER_FONT, SIZE["4号"]))
        _run(paragraph, " —", PAGE_NUMBER_FONT, SIZE["4号"])


def _footer_distance() -> Mm:
    """From the page's bottom edge to the page number's line, so that it stands 7 mm below the text."""
    return Mm(page.MARGINS_MM["bottom"] - page.PAGE_NUMBER_BELOW_MM) - Pt(page.PAGE_NUMBER_PT)


def _portrait(section) -> None:
    margins = page.MARGINS_MM
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.PAGE_MM[0]), Mm(page.PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.footer_distance = _footer_distance()


def _landscape(section) -> None:
    """A4 across for a wide table; the margins turn with the page (37 and 35 mm at the sides)."""
    margins = page.MARGINS_MM
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(page.PAGE_MM[1]), Mm(page.PAGE_MM[0])
    section.top_margin, section.bottom_margin = Mm(margins["left"]), Mm(margins["right"])
    section.left_margin, section.right_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.footer_distance = Mm(margins["right"] - page.PAGE_NUMBER_BELOW_MM) - Pt(page.PAGE_NUMBER_PT)


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
    _spacing(paragraph)  # every level two characters in, as GB/T 9704's 层次标题
    paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot
    font, bold = {1: (HEI_FONT, False), 2: (KAI_FONT, False)}.get(block.level, (BODY_FONT, True))
    _run(paragraph, block.text, font, bold=bold)


def _caption(document, text: str) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(caption, indent=False)
    caption.paragraph_format.keep_with_next = True
    _run(caption, text, HEI_FONT, SIZE["5号"])
    caption.paragraph_format.widow_control = False


def _table(document, block: Table) -> None:
    shape = layout(block)
    if shape.landscape:
        _landscape(document.add_section(WD_SECTION.NEW_PAGE))
    if block.caption:
        _caption(document, block.caption)
    size = Pt(shape.font_pt)
    heads = 2 if block.groups else 1
    table = document.add_table(rows=heads + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, shape.widths_mm)
    _borders(table)
    _header(table, block, size, shape.widths_mm)
    # a row's cells once per row (see _grid_cell: table.cell walks the whole table on every call)
    column_cells: dict[int, object] = {}  # per column, a finished cell of plain text to copy
    for r, (row, table_row) in enumerate(zip(block.rows, table.rows[heads:])):
        _cant_split(table_row)
        for c, (text, cell) in enumerate(zip(row, table_row.cells)):
            plain = _plain(text) and (r, c) not in block.highlight
            if plain and c in column_cells:
                _copy_cell(column_cells[c], cell, text)
                continue
            _body_cell(cell, text, c, block, shape, size)
            if (r, c) in block.highlight:
                _shade(cell, "FDE2E2")
            if plain:
                column_cells[c] = cell._tc
    for header_row in table.rows[:heads]:
        _cant_split(header_row)
        _repeat_header(header_row)
    if shape.keep_whole:
        _keep_rows_together(table)
    if shape.landscape:
        _portrait(document.add_section(WD_SECTION.NEW_PAGE))


def _body_cell(cell, text: str, column: int, block: Table, shape, size) -> None:
    cell.width = Mm(shape.widths_mm[column])
    paragraph = cell.paragraphs[0]
    if column == block.wrap_column:  # sentences: they wrap, and read from the left
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_wrap(cell)  # a name or a score on one line, as the column was sized for
    _run(paragraph, text, BODY_FONT, size)
    _cell_spacing(paragraph, size)
    _mark_size(paragraph, size)


def _plain(text) -> bool:
    """Text that python-docx writes as one <w:t> with nothing else: not empty, no tab or line
    break (those become elements of their own), no space at either end (xml:space)."""
    return isinstance(text, str) and text != "" and text == text.strip() and not any(c in text for c in "\t\r\n")


def _copy_cell(finished, cell, text: str) -> None:
    """A copy of another row's finished cell of the same column with this cell's text: the same
    XML _body_cell writes, at a fraction of python-docx's cost per element (a province's
    scorecard has 16,000 cells)."""
    copied = deepcopy(finished)
    copied.find(".//" + qn("w:t")).text = text
    cell._tc.getparent().replace(cell._tc, copied)


def _cell_spacing(paragraph, size) -> None:
    """A cell's lines at an exact pitch, as the PDF sets them: the same row heights in both."""
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(size.pt * CELL_LINE)
    form.space_before = form.space_after = Pt(0)
    form.first_line_indent = Pt(0)


def _mark_size(paragraph, size) -> None:
    """The paragraph mark at the table's size. Left at the body's 3号, it sets the height of an
    empty cell's line (the grid table leaves full marks blank, as seed 002 does), and those rows
    came out twice as tall as their text in LibreOffice: the grid table took three pages, not two."""
    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(round(size.pt * 2)))
        r_pr.append(element)
    p_pr.append(r_pr)


def _header_text(cell, lines: list[str], size, width_mm: float) -> None:
    cell.width = Mm(width_mm)  # as the columns are: add_table gave every cell an equal share
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cell_spacing(paragraph, size)
    _mark_size(paragraph, size)
    for n, line in enumerate(lines):
        run = _run(paragraph, line, HEI_FONT, size)
        if n:
            run._element.addprevious(_line_break())


def _header(table, block: Table, size, widths: list[float]) -> None:
    """The header row; with groups, seed 002's two rows: each group's label merged across its
    columns, and a column of no group merged down both rows."""
    if not block.groups:
        for c, text in enumerate(block.header):
            _header_text(_grid_cell(table, 0, c), header_lines(text), size, widths[c])
        return
    for label, first, span in block.header_groups():
        if label:
            _header_text(_grid_cell(table, 0, first).merge(_grid_cell(table, 0, first + span - 1)), [label], size,
                         sum(widths[first:first + span]))
            for c in range(first, first + span):
                _header_text(_grid_cell(table, 1, c), header_lines(block.header[c]), size, widths[c])
        else:
            _header_text(_grid_cell(table, 0, first).merge(_grid_cell(table, 1, first)), header_lines(block.header[first]), size,
                         widths[first])


def _grid_cell(table, row: int, column: int):
    """table.cell(row, column) from the row alone: table.cell builds every cell of the table on
    each call, which a 1,105-row scorecard's header paid once per header cell."""
    return table.rows[row].cells[column]


def _line_break():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def _fixed_widths(table, widths_mm: list[float], padding_mm: float = CELL_PADDING_MM) -> None:
    """Column widths as set, not auto-fitted by Word, WPS or LibreOffice; small cell margins."""
    table.autofit = False
    properties = table._tbl.tblPr
    layout_type = OxmlElement("w:tblLayout")
    layout_type.set(qn("w:type"), "fixed")
    properties.append(layout_type)
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(Mm(padding_mm / 2).twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    for column, mm in zip(table.columns, widths_mm):
        column.width = Mm(mm)


def _borders(table) -> None:
    """Every border drawn by the table itself (the style's borders are not read alike everywhere:
    LibreOffice dropped the bottom one)."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            border.set(qn(key), value)
        borders.append(border)
    table._tbl.tblPr.append(borders)


def _no_wrap(cell) -> None:
    cell._element.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _keep_rows_together(table) -> None:
    """Each row kept with the next (the PDF's unbreakable table): Word and LibreOffice move a table
    that fits one page to the next whole instead of leaving its last rows alone there."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


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
    """The caption above the chart, kept with it: one title (the image draws none)."""
    _caption(document, block.caption)
    document.add_picture(io.BytesIO(block.png), width=Mm(page.CHART_WIDTH_MM))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    form = picture.paragraph_format
    form.space_before = form.space_after = Pt(0)
    form.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _paragraph(document, text: str, indent: bool = True):
    paragraph = document.add_paragraph()
    _spacing(paragraph, indent=indent)
    _run(paragraph, text)
    return paragraph


def _block(document, block) -> None:
    if isinstance(block, Heading):
        _heading(document, block)
    elif isinstance(block, Paragraph):
        _paragraph(document, block.text)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        _chart(document, block)


def _rule(paragraph, side: str, size_eighths: int, colour: str) -> None:
    """A line across the text width drawn as the paragraph's border (GB/T 9704's 分隔线, 版记 rules)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", "4"), ("w:color", colour)):
        line.set(qn(key), value)
    borders.append(line)
    order = ["top", "left", "bottom", "right"]  # the schema's order of a paragraph's borders
    for child in sorted(borders, key=lambda element: order.index(element.tag.split("}")[1])):
        borders.append(child)


def _masthead(document, bulletin: Bulletin) -> None:
    """版头: the issuer in red 小标宋; the 发文字号 two lines below it, centred, where the district
    sets one; the red separator 4 pt under the last of them."""
    issuer = document.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(issuer, indent=False, exact=Pt(page.TITLE_LINE_PT))
    _run(issuer, bulletin.issuer, TITLE_FONT, SIZE["2号"], colour=RED)
    last = issuer
    if bulletin.letterhead.doc_number:
        last = document.add_paragraph()
        last.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(last, indent=False)
        last.paragraph_format.space_before = LINE_PITCH * 2
        _run(last, bulletin.letterhead.doc_number)
    _rule(last, "bottom", 12, "C00000")


def _title(document, bulletin: Bulletin) -> None:
    """The title two lines below the separator, the addressees one line below the title."""
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, indent=False, exact=Pt(page.TITLE_LINE_PT))
    for n, line in enumerate(title_lines(bulletin.title_segments)):
        run = _run(title, line, TITLE_FONT, SIZE["2号"])
        if n:
            run._element.addprevious(_line_break())
    title.paragraph_format.space_before = LINE_PITCH * 2
    title.paragraph_format.space_after = LINE_PITCH


def _signature(document, bulletin: Bulletin) -> None:
    """附件说明 a line under the body, then two blank lines for the seal, the issuer centred over the
    date, and the date 右空四字. The body's last paragraph goes with them: the signature never stands
    on a page of its own with no body text (公文 practice)."""
    last = [child for child in document.element.body if child.tag != qn("w:sectPr")][-1]
    if last.tag == qn("w:p"):  # text or a chart; a table's last row cannot be kept with it
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    _paragraph(document, "").paragraph_format.keep_with_next = True
    note = _paragraph(document, bulletin.appendix_note)
    note.paragraph_format.keep_with_next = True
    for _ in range(page.SEAL_LINES):
        _paragraph(document, "", indent=False).paragraph_format.keep_with_next = True
    issuer = _paragraph(document, bulletin.issuer, indent=False)
    issuer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    issuer.paragraph_format.right_indent = Pt(page.BODY_PT * page.issuer_right_chars(bulletin.issuer, bulletin.signature_date))
    issuer.paragraph_format.keep_with_next = True
    date_line = _paragraph(document, bulletin.signature_date, indent=False)
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date_line.paragraph_format.right_indent = CHAR * page.SIGNATURE_RIGHT_CHARS


def _appendix(document, bulletin: Bulletin) -> None:
    """附件 page: "附件" alone at the top left in 黑体, the title centred in 小标宋, then the text."""
    label = document.add_paragraph()
    label.paragraph_format.page_break_before = True
    _spacing(label, indent=False)
    _run(label, "附件", HEI_FONT)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, indent=False, exact=Pt(page.TITLE_LINE_PT))
    title.paragraph_format.space_before = title.paragraph_format.space_after = LINE_PITCH
    _run(title, bulletin.appendix_title, TITLE_FONT, SIZE["2号"])
    for block in bulletin.appendix:
        _block(document, block)


def _imprint(document, bulletin: Bulletin) -> None:
    """版记 at the foot of the last page: 抄送 (if any) and 印发机关 with 印发日期 in 4号, one character
    in from either side, between thick rules (a thin one between its lines). Its paragraphs share a
    frame anchored to the bottom of the text block, as GB/T 9704 puts it, whatever the page's text
    leaves above it (Word and LibreOffice make one frame of paragraphs with the same w:framePr)."""
    lines = ([f"抄送：{bulletin.letterhead.copy_to}。"] if bulletin.letterhead.copy_to else []) + ["imprint"]
    for n, text in enumerate(lines):
        paragraph = document.add_paragraph()
        _spacing(paragraph, indent=False)
        form = paragraph.paragraph_format
        form.left_indent = form.right_indent = Pt(page.IMPRINT_PT)
        _frame(paragraph)
        if n == 0:
            _rule(paragraph, "top", 8, "000000")
        if text == "imprint":
            # LibreOffice counts a tab from the left indent and drops one that reaches the right indent
            form.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(2 * page.IMPRINT_PT) - Mm(1), WD_TAB_ALIGNMENT.RIGHT)
            _run(paragraph, f"{bulletin.letterhead.printed_by}\t{bulletin.letterhead.print_date}印发", size=SIZE["4号"])
            _rule(paragraph, "bottom", 8, "000000")
            if n:
                _rule(paragraph, "top", 4, "000000")
        else:
            _run(paragraph, text, size=SIZE["4号"])


def _frame(paragraph) -> None:
    """The paragraph in a frame across the text width at the bottom of the text block."""
    frame = OxmlElement("w:framePr")
    for key, value in (("w:w", str(int(TEXT_WIDTH.twips))), ("w:wrap", "around"), ("w:vAnchor", "margin"),
                       ("w:hAnchor", "margin"), ("w:xAlign", "center"), ("w:yAlign", "bottom")):
        frame.set(qn(key), value)
    p_pr = paragraph._p.get_or_add_pPr()
    style = p_pr.find(qn("w:pStyle"))
    (style.addnext(frame) if style is not None else p_pr.insert(0, frame))


def write_docx(bulletin: Bulletin, path: Path) -> None:
    document = Document()
    _defaults(document)
    _font_table(document)
    _page(document)
    properties = document.core_properties
    properties.title = bulletin.title
    properties.author = properties.last_modified_by = bulletin.issuer  # not the library's name
    properties.comments = ""
    _masthead(document, bulletin)
    _title(document, bulletin)
    addressees = document.add_paragraph()
    _spacing(addressees, indent=False)
    _run(addressees, f"{bulletin.addressees}：")
    for block in bulletin.blocks:
        _block(document, block)
    _signature(document, bulletin)
    _appendix(document, bulletin)
    _imprint(document, bulletin)
    document.save(str(path))
