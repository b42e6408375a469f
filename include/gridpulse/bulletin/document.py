"""The bulletin as a document: blocks that the HTML, PDF and DOCX writers all lay out the same way,
so that the three formats cannot say different things."""
from __future__ import annotations

from dataclasses import dataclass, field

from gridpulse.bulletin.figures import Register


@dataclass
class Heading:
    text: str
    level: int          # 1: 一、 (黑体); 2: （一） (楷体); 3: 1、 (仿宋, bold)


@dataclass
class Paragraph:
    text: str


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric_from: int = 1                                        # columns from here are figures
    highlight: set[tuple[int, int]] = field(default_factory=set)  # (row, column) below a standard


@dataclass
class Chart:
    caption: str
    png: bytes


Block = Heading | Paragraph | Table | Chart


@dataclass
class Bulletin:
    scheme_id: str
    period: str
    title: str
    issuer: str
    addressees: str
    blocks: list[Block]
    signature_date: str
    appendix_title: str
    appendix: list[Block]
    register: Register

    def text(self) -> str:
        """Everything the bulletin says, as plain text (for checks and logs)."""
        parts = [self.title, self.addressees]
        for block in self.blocks + self.appendix:
            if isinstance(block, (Heading, Paragraph)):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts += [block.caption, " ".join(block.header)] + [" ".join(row) for row in block.rows]
        return "\n".join(parts + [self.issuer, self.signature_date])
