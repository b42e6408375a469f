"""Column widths for the bulletin's tables, computed once from their content and used by the DOCX,
PDF and HTML writers alike.

A body cell (a name, a score) never wraps: its column is at least as wide as its longest cell on
one line. A header may wrap, but never inside its bracket ("（20）" stays whole): the weight in
brackets goes on a line of its own. A table whose columns cannot fit the portrait text width goes
on a landscape page (GB/T 9704 allows a wide table across the page).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gridpulse.bulletin.document import Table
from gridpulse.bulletin.page import LINE_PT, TEXT_HEIGHT_MM

PT_TO_MM = 25.4 / 72
# 公文 tables are set smaller than the 3号 body: 5号 where the table fits, else 小5号
TABLE_FONT_PT = (10.5, 9.0)
CELL_PADDING_MM = 1.6       # left and right cell margins together (0.8 mm each)
CELL_LINE = 1.5             # a cell's line pitch, in its font size (exact, in the DOCX and the PDF alike)
CELL_INSET_Y_PT = 0.25      # above and below a cell's text: LibreOffice adds the 0.5 pt border to a row's height
SLACK_EM = 0.4              # what Word, WPS and LibreOffice add around a line (seen: a 6-character name wrapped without it)
PORTRAIT_WIDTH_MM = 210 - 28 - 26    # A4 less GB/T 9704's left and right margins
LANDSCAPE_WIDTH_MM = 297 - 37 - 35   # A4 across, the same margins turned with the page
WEIGHT_IN_BRACKETS = re.compile(r"^(.+?)(（[^（）]*\d[^（）]*）)$")
UNIT_IN_BRACKETS = re.compile(r"^(.{2,}?)(（[^（）\d]{1,3}）)$")   # "网格员（名）": the unit on a line of its own


def text_width_em(text: str) -> float:
    """Width in ems: a Chinese character or full-width sign is one em, a digit or Latin letter
    about half of one."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def header_lines(header: str) -> list[str]:
    """A header with a weight in brackets ("事项总量（20）") as two lines, so it can never break
    inside the bracket; a header that names its lines ("日在线率\n20分") as those; any other
    header as one line."""
    if "\n" in header:
        return header.split("\n")
    found = WEIGHT_IN_BRACKETS.match(header) or UNIT_IN_BRACKETS.match(header)
    return [found.group(1), found.group(2)] if found else [header]


def _header_minimum_em(header: str) -> float:
    """The narrowest a header may go: its bracket whole, its words in at most three lines of two
    characters or more, and the slack a body cell has (without it LibreOffice broke the rollup's
    headers at 2 em one character a line)."""
    lines = header_lines(header)
    words = max(2.0, math.ceil(text_width_em(lines[0]) / 3))
    return max([words] + [text_width_em(line) for line in lines[1:]]) + SLACK_EM / 2


@dataclass
class Layout:
    widths_mm: list[float]
    landscape: bool
    font_pt: float
    # a table short enough for one page is kept on one (its last rows never alone under a repeated
    # header on the next); a longer one breaks between rows, its header repeated
    keep_whole: bool = False

    @property
    def width_mm(self) -> float:
        return sum(self.widths_mm)


def _columns(table: Table, font_pt: float) -> tuple[list[float], list[float]]:
    """(narrowest, natural) width of each column in mm at a font size."""
    em = font_pt * PT_TO_MM
    columns = list(zip(*([table.header] + table.rows))) if table.rows else [[h] for h in table.header]
    body = [max([text_width_em(c) for c in column[1:]] + [0.0]) + SLACK_EM for column in columns]
    if table.wrap_column is not None:
        body[table.wrap_column] = SLACK_EM  # its sentences wrap: only its header bounds it
    least = [max(b, _header_minimum_em(h)) * em + CELL_PADDING_MM for b, h in zip(body, table.header)]
    # a header's natural width holds its longest line with the slack a body cell has: exactly its
    # text's width, Typst and LibreOffice broke "网格员" into "网格/员"
    natural = [max(b, *(text_width_em(line) + SLACK_EM / 2 for line in header_lines(h))) * em + CELL_PADDING_MM
               for b, h in zip(body, table.header)]
    return least, [max(n, m) for n, m in zip(natural, least)]


def layout(table: Table) -> Layout:
    """Each column as wide as its longest body cell, widened toward its header's natural width
    while the page allows. Portrait at 5号, else portrait at 小5号, else landscape (5号, then 小5号);
    a table wider than a landscape page at 小5号 keeps its narrowest columns there."""
    candidates = [(font, False) for font in TABLE_FONT_PT] + [(font, True) for font in TABLE_FONT_PT]
    for font_pt, landscape in candidates:
        least, natural = _columns(table, font_pt)
        page = LANDSCAPE_WIDTH_MM if landscape else PORTRAIT_WIDTH_MM
        if sum(least) <= page:
            break
    if table.wrap_column is not None:
        return _wrapping(natural, table.wrap_column, page, landscape, font_pt)
    room = page - sum(least)
    wanted = [n - m for n, m in zip(natural, least)]
    share = min(1.0, room / sum(wanted)) if sum(wanted) > 0 and room > 0 else 0.0
    return Layout([round(m + w * share, 1) for m, w in zip(least, wanted)], landscape, font_pt,
                  keep_whole=not landscape and fits_one_page(table, font_pt))


def fits_one_page(table: Table, font_pt: float) -> bool:
    """Whether the table, its caption and a heading above it take at most nine tenths of a portrait
    page (rows of one line: a table of sentences is never kept whole). The tenth is the margin for
    what the renderers add that this count does not (borders, rounding): a table kept whole that
    did not fit would run off its page."""
    row_pt = font_pt * CELL_LINE + 2 * CELL_INSET_Y_PT + 0.5
    header_rows = max(len(header_lines(h)) for h in table.header) + (1 if table.groups else 0)
    height_pt = (header_rows + len(table.rows)) * row_pt + 2 * LINE_PT  # the caption and a heading: a line each
    return height_pt <= 0.9 * TEXT_HEIGHT_MM / PT_TO_MM


def _wrapping(natural: list[float], wrap: int, page: float, landscape: bool, font_pt: float) -> Layout:
    """The other columns at their longest cell and header on one line; the wrapping column fills
    the text width."""
    slack = SLACK_EM * font_pt * PT_TO_MM  # a one-line header ("分值") needs the room a body cell has
    widths = [round(w + slack, 1) for w in natural]
    widths[wrap] = round(page - sum(w for c, w in enumerate(widths) if c != wrap), 1)
    return Layout(widths, landscape, font_pt)
