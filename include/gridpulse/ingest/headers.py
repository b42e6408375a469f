"""A file's printed headers mapped to the contract's canonical columns.

The platform mapping (include/config/platforms/) says which Chinese header is which column; a
header that is itself the canonical name is taken too. Problems and repairs are worded for the
clerk who must fix the export.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from gridpulse.contract import Table
from gridpulse.problems import Problem

# Ways a file's text gets garbled on its way from the platform: (how it was written, how it was
# read back before being saved again). Undoing one of them on the header says what went wrong.
MOJIBAKE = (("gb18030", "latin-1", "GBK 文件被当作 Latin-1/UTF-8 转存"),
            ("utf-8", "gb18030", "UTF-8 文件被当作 GBK 打开后又保存"))


@dataclass
class HeaderMap:
    positions: dict[str, int] = field(default_factory=dict)  # canonical column -> position in the file (0-based)
    headers: dict[str, str] = field(default_factory=dict)    # canonical column -> header as printed
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.problems


def printed_header(header) -> str:
    """A header cell as staff read it: blanks and any BOM (a second one, from a tool that added
    its own) removed."""
    return str(header).strip().strip("\ufeff").strip()


def loose(header: str) -> str:
    """A header as it reads whatever a program did to its widths and spaces: full-width brackets,
    letters and digits made half-width (NFKC), blanks removed."""
    return "".join(unicodedata.normalize("NFKC", header).split())


def known_headers(printed: list[str], table: Table, mapping: dict) -> int:
    """How many of the printed cells are headers of this table (to tell a header row)."""
    return sum(1 for header in printed if _column_of(printed_header(header), table, mapping)[0])


def _column_of(base: str, table: Table, mapping: dict) -> tuple[str | None, str | None]:
    """The canonical column a printed header names, and the header it should have read if it
    matched only loosely (None if exactly)."""
    header_to_column: dict[str, str] = mapping.get("columns", {})
    column = header_to_column.get(base) or (base if base in table.columns else None)
    if column or not base:
        return column, None
    for expected, candidate in header_to_column.items():
        if loose(expected) == loose(base):
            return candidate, expected
    return None, None


def map_headers(printed: list[str], file_name: str, table: Table, mapping: dict, text_file: bool) -> HeaderMap:
    """Which position holds which canonical column; a missing, doubled or garbled header is a
    problem, an unknown one a repair (the column is ignored), and one that differs only in the
    width of its brackets or its spaces is read as meant (a repair, reported)."""
    header_to_column: dict[str, str] = mapping.get("columns", {})
    found = HeaderMap()
    for position, header in enumerate(printed):
        base = printed_header(header)
        column, meant = _column_of(base, table, mapping)
        if meant is not None and column not in found.headers:
            found.notices.append(Problem(file_name, f"表头「{base}」按「{meant}」读取（全角/半角或空格不同）", row=1,
                                         column=column, header=base, check="header_repaired"))
        if column is None:
            shown = base or f"第 {position + 1} 列（无表头）"
            found.notices.append(Problem(file_name, f"导出规范之外的列「{shown}」未载入（已忽略）", row=1, header=base, check="extra_column"))
        elif column in found.headers:
            found.problems.append(Problem(file_name, "表头重复", row=1, column=column, header=base, check="header"))
        else:
            found.positions[column], found.headers[column] = position, base
    if not found.headers and text_file:
        garbled = _garbled_encoding(printed, header_to_column)
        if garbled:
            found.problems = [Problem(file_name, garbled, row=1, check="encoding")]
            return found
    for column in table.columns.values():
        if column.name not in found.headers:
            expected = next((h for h, c in header_to_column.items() if c == column.name), column.label_zh)
            found.problems.append(Problem(file_name, f"缺少列「{expected}」", row=1, column=column.name, header=expected, check="header"))
    return found


def _garbled_encoding(printed: list[str], header_to_column: dict[str, str]) -> str | None:
    """If no header is known but undoing a usual garbling recovers known headers, say so once,
    instead of one missing column per column."""
    text = ",".join(str(h) for h in printed)
    for written, read_as, how in MOJIBAKE:
        try:
            repaired = text.encode(read_as).decode(written)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        known = [h for h in repaired.split(",") if h.strip() in header_to_column]
        if known:
            return (f"文件编码错误：表头是乱码（{how}，还原后可读出「{known[0].strip()}」等 {len(known)} 个表头）；"
                    "请从平台以 UTF-8 或 GBK 重新导出，不要用其他软件另存")
    return None


def merged_header_problems(file_name: str, ranges: list[tuple[str, str]], table: Table, mapping: dict) -> list[Problem]:
    """One problem per merged range of the header row (cells, header in its first cell)."""
    header_to_column: dict[str, str] = mapping.get("columns", {})
    problems = []
    for cells, first_header in ranges:
        column = header_to_column.get(first_header) or (first_header if first_header in table.columns else None)
        problems.append(Problem(file_name, f"表头 {cells} 是合并单元格：每列应有自己的一个表头，请取消合并后重新导出",
                                row=1, column=column, header=first_header or None, check="header_merged"))
    return problems
