"""The bulletin as a document: blocks that the HTML, PDF and DOCX writers all lay out the same way,
so that the three formats cannot say different things."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

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
    # a second header row above the header, as seed 002 groups its items ("平安通app考核60分" over
    # three columns): one label per column, "" where a column's own header spans both rows
    groups: list[str] = field(default_factory=list)
    # a column of sentences (the appendix's 考核办法) that wraps and takes the width the others leave
    wrap_column: int | None = None

    def header_groups(self) -> list[tuple[str, int, int]]:
        """The group row as (label, first column, span): runs of one label; a column without a
        group is a run of its own with label ""."""
        runs: list[tuple[str, int, int]] = []
        for column, label in enumerate(self.groups):
            if label and runs and runs[-1][0] == label and runs[-1][1] + runs[-1][2] == column:
                runs[-1] = (label, runs[-1][1], runs[-1][2] + 1)
            else:
                runs.append((label, column, 1))
        return runs


@dataclass
class Chart:
    caption: str
    png: bytes


Block = Heading | Paragraph | Table | Chart


TITLE_LINE_EM = 20  # a 2号 title line across GB/T 9704's 156 mm text width


def _width_em(text: str) -> float:
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def title_lines(segments: list[str], most_em: float = TITLE_LINE_EM) -> list[str]:
    """The title in as few lines as fit, broken only between its segments (words), with the
    longest line as short as it can be: balanced lines, never "运行情/况的通报"."""
    segments = [s for s in segments if s]
    for count in range(1, len(segments) + 1):
        best = None
        for cuts in combinations(range(1, len(segments)), count - 1):
            bounds = (0, *cuts, len(segments))
            lines = ["".join(segments[a:b]) for a, b in zip(bounds, bounds[1:])]
            widest = max(_width_em(line) for line in lines)
            if widest <= most_em and (best is None or widest < best[0]):
                best = (widest, lines)
        if best:
            return best[1]
    return segments


@dataclass
class Letterhead:
    """Who issues the bulletin and when (GB/T 9704): the 发文机关 of the 版头 and the signature,
    the 成文日期, and the 版记's 印发机关 and 印发日期; all from the settings files."""
    issuer: str
    signature_date: str
    printed_by: str
    print_date: str
    copy_to: str = ""   # 抄送机关, printed in the 版记 when set
    doc_number: str = ""  # 发文字号 (e.g. 百办〔2021〕45号), under the 版头 when the district sets a pattern


@dataclass
class Bulletin:
    scheme_id: str
    period: str
    title_segments: list[str]   # the title's words: lines break only between them
    letterhead: Letterhead
    addressees: str
    blocks: list[Block]
    appendix_title: str         # the 附件's title, without "附件："
    appendix: list[Block]
    register: Register

    @property
    def title(self) -> str:
        return "".join(self.title_segments)

    @property
    def issuer(self) -> str:
        return self.letterhead.issuer

    @property
    def signature_date(self) -> str:
        return self.letterhead.signature_date

    @property
    def appendix_note(self) -> str:
        """The body's mention of the 附件 (附件说明), above the signature."""
        return f"附件：{self.appendix_title}"

    @property
    def imprint(self) -> str:
        """The 版记's line: 印发机关 and 印发日期."""
        return f"{self.letterhead.printed_by}　{self.letterhead.print_date}印发"

    def text(self) -> str:
        """Everything the bulletin says, as plain text (for checks and logs)."""
        parts = [self.title, self.addressees]
        for block in self.blocks + self.appendix:
            if isinstance(block, (Heading, Paragraph)):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts += [block.caption, " ".join(block.header)] + [" ".join(row) for row in block.rows]
        return "\n".join(parts + [self.appendix_note, self.issuer, self.signature_date, self.imprint])
