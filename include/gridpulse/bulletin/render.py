"""Lay the bulletin out as HTML (self-contained, reads on a phone), by Jinja. Tables take their
column widths from table_layout, as the DOCX and the PDF (typst_writer) do. The PDF was this HTML
rendered by WeasyPrint until Typst proved 25 times faster (docs/benchmark.md, "PDF renderer")."""
from __future__ import annotations

import base64
import zlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gridpulse.bulletin.document import Bulletin, title_lines
from gridpulse.bulletin.page import css_family
from gridpulse.bulletin.table_layout import PT_TO_MM, header_lines, layout, text_width_em

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.filters["em"] = text_width_em
    env.globals.update(layout=layout, header_lines=header_lines, title_lines=title_lines, em=text_width_em,
                       sticky_offsets=sticky_offsets, compact_columns=compact_columns, table_id=table_id,
                       css_family=css_family)
    return env


def sticky_offsets(table, shape) -> list[float]:
    """Left offsets in em (of the table's font) of the key columns (rank, name) that stay in view
    while a wide table scrolls sideways on a phone."""
    em_mm = shape.font_pt * PT_TO_MM
    widths = [w / em_mm for w in shape.widths_mm[:table.numeric_from]]
    return [round(sum(widths[:i]), 2) for i in range(len(widths))]


def compact_columns(table) -> list[int]:
    """The columns a phone shows of a ranking table too wide for it: the key columns (rank, name)
    and the total; [] for a table that fits a phone as it is."""
    if len(table.header) <= 5 or table.header[-1] != "总分":
        return []
    return [*range(table.numeric_from), len(table.header) - 1]


def table_id(table) -> str:
    """A stable anchor for a table, so the phone's link opens its full form."""
    return f"t{zlib.crc32(table.caption.encode('utf-8')):08x}"


def html_text(bulletin: Bulletin) -> str:
    return _environment().get_template("bulletin.html.j2").render(b=bulletin)


def write_html(bulletin: Bulletin, path: Path) -> None:
    path.write_text(html_text(bulletin), encoding="utf-8")
