"""The bulletin as PDF typeset by Typst (the `typst` wheel, a compiler without system
dependencies), after GB/T 9704-2012: the same Bulletin model, page description (page.py) and column
widths (table_layout) as the DOCX and the HTML; the 公文 fonts' free stand-ins (Fandol) embedded.

Nothing from the data is written as Typst markup. The template (templates/bulletin.typ) reads the
bulletin from a JSON file and prints its strings as strings, so a unit named "=SUM(A1)", "#[x]",
"$y$" or "@b" prints as those characters and cannot run as code. Charts are PNG files beside it.

The PDF is the same bytes for the same bulletin: its creation date is the end of the assessed
month (files/stable.py), only the fonts page.py names are used (never the machine's others), and
Typst writes no random identifiers."""
from __future__ import annotations

import calendar
import json
import tempfile
from functools import lru_cache
from pathlib import Path

from gridpulse.bulletin import page
from gridpulse.bulletin.document import Bulletin, Chart, Heading, Paragraph, Table, title_lines
from gridpulse.bulletin.table_layout import CELL_INSET_Y_PT, CELL_PADDING_MM, header_lines, layout
from gridpulse.files.stable import month_end_stamp

TEMPLATE = Path(__file__).parent / "templates" / "bulletin.typ"


@lru_cache(maxsize=1)
def _fonts():
    """The fonts page.py names only: a machine's own fonts would change the bytes (and the look)."""
    import typst  # imported here: only this step needs it

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                       font_paths=list(page.print_faces().folders))


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _header_rows(table: Table) -> list[list[dict]]:
    """One header row, or seed 002's two: a group's label over its columns, and a column of no
    group spanning both rows."""
    def cell(text: str, colspan: int = 1, rowspan: int = 1) -> dict:
        return {"lines": header_lines(text), "colspan": colspan, "rowspan": rowspan}
    if not table.groups:
        return [[cell(h) for h in table.header]]
    top = [cell(label, colspan=span) if label else cell(table.header[first], rowspan=2)
           for label, first, span in table.header_groups()]
    return [top, [cell(h) for h, group in zip(table.header, table.groups) if group]]


def _table(table: Table, heading: Heading | None = None) -> dict:
    shape = layout(table)
    return {"kind": "table", "caption": table.caption, "widths_mm": shape.widths_mm, "font_pt": shape.font_pt,
            "landscape": shape.landscape, "keep_whole": shape.keep_whole, "header_rows": _header_rows(table), "rows": table.rows,
            "numeric_from": table.numeric_from, "wrap_column": table.wrap_column,
            "highlight": sorted([r, c] for r, c in table.highlight),
            "heading": {"text": heading.text, "level": heading.level} if heading else None}


def _blocks(blocks: list, folder: Path, charts: list[int]) -> list[dict]:
    """The blocks as data; a heading just before a landscape table goes onto the table's page."""
    out: list[dict] = []
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        previous = blocks[n - 1] if n else None
        if isinstance(block, Heading) and isinstance(following, Table) and layout(following).landscape:
            continue
        if isinstance(block, Heading):
            out.append({"kind": "heading", "text": block.text, "level": block.level})
        elif isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "text": block.text})
        elif isinstance(block, Table):
            out.append(_table(block, previous if isinstance(previous, Heading) and layout(block).landscape else None))
        elif isinstance(block, Chart):
            name = f"chart-{len(charts)}.png"
            charts.append(len(charts))
            (folder / name).write_bytes(block.png)
            width, height = png_size(block.png)
            out.append({"kind": "chart", "caption": block.caption, "image": name, "width_mm": page.CHART_WIDTH_MM,
                        "height_pt": page.CHART_WIDTH_MM * page.PT_PER_MM * height / width})
    return out


def bulletin_data(bulletin: Bulletin, folder: Path) -> dict:
    """Everything the template prints, as JSON-ready data; the charts written into `folder`."""
    charts: list[int] = []
    body = _blocks(bulletin.blocks, folder, charts)
    if body and body[-1]["kind"] == "paragraph":
        body[-1]["sticky"] = True  # the body's last lines go with the 附件说明 and the signature
    letterhead = bulletin.letterhead
    return {
        "page": page.description() | {"cell_padding_mm": CELL_PADDING_MM, "cell_inset_y_pt": CELL_INSET_Y_PT},
        "doc_number": letterhead.doc_number, "title": bulletin.title, "title_lines": title_lines(bulletin.title_segments),
        "issuer": bulletin.issuer, "addressees": bulletin.addressees, "blocks": body,
        "appendix_note": bulletin.appendix_note, "signature_date": bulletin.signature_date,
        # the issuer centred over the date, which stands four characters in from the right
        "issuer_pad_em": page.issuer_right_chars(bulletin.issuer, bulletin.signature_date),
        "appendix_title": bulletin.appendix_title, "appendix": _blocks(bulletin.appendix, folder, charts),
        "copy_to": letterhead.copy_to, "printed_by": letterhead.printed_by, "print_date": letterhead.print_date,
    }


def pdf_bytes(bulletin: Bulletin) -> bytes:
    import typst

    with tempfile.TemporaryDirectory(prefix="gridpulse-typst-") as scratch:
        folder = Path(scratch)
        data = bulletin_data(bulletin, folder)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        main = folder / "main.typ"
        main.write_bytes(TEMPLATE.read_bytes())
        stamp = calendar.timegm(month_end_stamp(bulletin.period).timetuple())
        return typst.compile(str(main), root=str(folder), font_paths=_fonts(), ignore_system_fonts=True,
                             format="pdf", timestamp=stamp)


def write_pdf(bulletin: Bulletin, path: Path) -> None:
    path.write_bytes(pdf_bytes(bulletin))
