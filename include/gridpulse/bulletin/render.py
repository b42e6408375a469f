"""Lay the bulletin out as HTML (self-contained, reads on a phone) and as PDF (the same HTML with
GB/T 9704 page rules, rendered by WeasyPrint with the project's embedded Noto fonts). Tables take
their column widths from table_layout, as the DOCX does, and a wide one gets a landscape page."""
from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pylopdf_fonts_zh_cn import sans_path, serif_path

from gridpulse.bulletin.document import Bulletin, title_lines
from gridpulse.bulletin.table_layout import PT_TO_MM, header_lines, layout, text_width_em
from gridpulse.files.stable import source_date_epoch

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.filters["em"] = text_width_em
    env.globals.update(layout=layout, header_lines=header_lines, title_lines=title_lines, em=text_width_em,
                       sticky_offsets=sticky_offsets)
    return env


def sticky_offsets(table, shape) -> list[float]:
    """Left offsets in em (of the table's font) of the key columns (rank, name) that stay in view
    while a wide table scrolls sideways on a phone."""
    em_mm = shape.font_pt * PT_TO_MM
    widths = [w / em_mm for w in shape.widths_mm[:table.numeric_from]]
    return [round(sum(widths[:i]), 2) for i in range(len(widths))]


def html_text(bulletin: Bulletin, for_print: bool = False) -> str:
    fonts = {"serif": Path(serif_path()).as_uri(), "sans": Path(sans_path()).as_uri()} if for_print else None
    return _environment().get_template("bulletin.html.j2").render(b=bulletin, fonts=fonts)


def write_html(bulletin: Bulletin, path: Path) -> None:
    path.write_text(html_text(bulletin), encoding="utf-8")


def write_pdf(bulletin: Bulletin, path: Path) -> None:
    from weasyprint import HTML  # imported here: it is heavy, and only this step needs it

    # hinting kept: removing it from the CJK font subsets (fontTools' remove_hints) took about a
    # tenth of the outputs step, for a file 3 % smaller
    with source_date_epoch(bulletin.period):  # the embedded font subsets carry no clock time
        HTML(string=html_text(bulletin, for_print=True), base_url=str(TEMPLATES)).write_pdf(
            str(path), pdf_identifier=(bulletin.scheme_id + bulletin.period).encode(), hinting=True)
