"""Read one export file as frames of text cells under canonical column names, chunk by chunk.

Files come as CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX with the platform's Chinese headers;
the platform mapping says which header is which canonical column. A CSV file is parsed
`chunk_rows` rows at a time, so a province's file is never held whole; a workbook is read whole
(calamine has no streaming reader) and handed on in chunks of the same size.
"""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pandas as pd

from gridpulse.contract import Table
from gridpulse.load.workbook_cells import SheetCells, merged_header_ranges, read_sheet
from gridpulse.problems import Problem

# Tried in order: UTF-8 (a BOM is dropped) first, since GB18030 would also decode most UTF-8
# bytes into the wrong characters; GB18030 is the superset of GBK that Chinese Excel writes.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

# Ways a file's text gets garbled on its way from the platform: (how it was written, how it was
# read back before being saved again). Undoing one of them on the header says what went wrong.
MOJIBAKE = (("gb18030", "latin-1", "GBK 文件被当作 Latin-1/UTF-8 转存"),
            ("utf-8", "gb18030", "UTF-8 文件被当作 GBK 打开后又保存"))


@dataclass
class ReadResult:
    chunks: Iterator[pd.DataFrame] | None    # the rows under canonical names, with source_row; None if unreadable
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> header as printed
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    notices: list[Problem] = field(default_factory=list)    # repairs made while reading (kept in the report)
    tail: str | None = None      # a CSV file's last lines, for the truncation check once rows are counted
    width: int = 0               # columns in the header as printed


def _encoding_of(path: Path, block: int = 1 << 22) -> str:
    """The first of CSV_ENCODINGS that decodes the whole file, streamed: a file is parsed in
    chunks, so a byte that does not decode must be found before the first chunk is used."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while data := handle.read(block):
                    decoder.decode(data)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnicodeDecodeError("csv", b"", 0, 1, "neither UTF-8 nor GBK")


def _read_csv(path: Path, chunk_rows: int) -> tuple[Iterator[pd.DataFrame], list, str, str]:
    """The file's chunks of cells, its header, its encoding, and the text of its end (what a
    truncation check needs). pandas decodes while it parses."""
    encoding = _encoding_of(path)
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding, chunksize=chunk_rows)
    first = next(reader)  # a header-only file gives one empty chunk; an empty one raises EmptyDataError
    return chain([first], reader), list(first.columns), encoding, _tail_text(path, encoding)


def _frame_chunks(frame: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    # a header-only sheet still gives one (empty) chunk, as pandas does for a header-only CSV
    for start in range(0, max(len(frame), 1), chunk_rows):
        yield frame.iloc[start:start + chunk_rows]


def _tail_text(path: Path, encoding: str, size: int = 1 << 16) -> str:
    """The last lines of a file (up to `size` bytes); a character cut at the start is dropped."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read().decode(encoding, errors="ignore")


def truncation_problems(result: ReadResult, rows: int, name: str) -> list[Problem]:
    """A file cut off in transfer ends inside its last row: fewer fields than the header, and no
    line break. pandas would fill the missing cells with blanks; staff need to hear why."""
    text = result.tail
    if text is None or not rows or text.endswith(("\n", "\r")):
        return []
    last = next(csv.reader([text.rsplit("\n", 1)[-1]]), [])
    if len(last) >= result.width:
        return []
    return [Problem(name, f"最后一行不完整：只有 {len(last)} 列，表头有 {result.width} 列（文件可能在传输中被截断）",
                    row=rows + 1, check="truncated")]


def read_table_file(path: Path, table: Table, mapping: dict, chunk_rows: int) -> ReadResult:
    """Open `path`, map its headers to the contract's columns of `table`, and hand its rows on
    in chunks of at most `chunk_rows` (a parse error in a later chunk raises from the iterator)."""
    name = path.name
    if not path.exists():
        return ReadResult(None, problems=[Problem(name, f"文件缺失：导出中没有「{table.label_zh}」文件", check="file_present")])
    cells, text = None, None
    try:
        if path.suffix.lower() == ".xlsx":
            cells = read_sheet(path)
            chunks, columns, encoding = _frame_chunks(cells.frame, chunk_rows), list(cells.frame.columns), None
        else:
            chunks, columns, encoding, text = _read_csv(path, chunk_rows)
    except UnicodeDecodeError:
        return ReadResult(None, problems=[Problem(name, "文件编码无法识别（应为 UTF-8 或 GBK）", check="encoding")])
    except pd.errors.EmptyDataError:
        return ReadResult(None, problems=[Problem(name, "文件为空，没有表头", check="header")])
    except Exception as exc:  # a corrupt workbook or a CSV pandas cannot split
        return ReadResult(None, problems=[Problem(name, f"文件无法读取：{exc}", check="read")])
    if cells is not None and cells.empty_headers:
        merged = _merged_header_problems(path, table, mapping)
        if merged:
            return ReadResult(None, problems=merged)
    result = _map_headers(chunks, columns, name, table, mapping, encoding)
    if cells is not None and result.chunks is not None:
        result.problems += _formula_problems(cells, result.headers, name)
    result.tail, result.width = text, len(columns)
    return result


def _merged_header_problems(path: Path, table: Table, mapping: dict) -> list[Problem]:
    header_to_column: dict[str, str] = mapping.get("columns", {})
    problems = []
    for cells, first_header in merged_header_ranges(path):
        column = header_to_column.get(first_header) or (first_header if first_header in table.columns else None)
        problems.append(Problem(path.name, f"表头 {cells} 是合并单元格：每列应有自己的一个表头，请取消合并后重新导出",
                                row=1, column=column, header=first_header or None, check="header_merged"))
    return problems


def _formula_problems(cells: SheetCells, headers: dict[str, str], name: str) -> list[Problem]:
    """A formula in an export is not data: its text is not what the platform recorded, and its
    cached value may be missing. The value is never echoed (it may sit in a personal column)."""
    by_header = {header: column for column, header in headers.items()}
    problems = []
    for row, header in cells.formulas:
        column = by_header.get(header)
        if column is not None:
            problems.append(Problem(name, "单元格是公式，不是数据（导出中不应有公式，请以数值/文本重新导出）",
                                    row=row, column=column, header=header, check="formula"))
    return problems


def _base_header(header) -> str:
    text = str(header).strip().strip("\ufeff").strip()  # a second BOM, from a tool that added its own
    # pandas marks a repeated header as "名称.1"
    return text.rsplit(".", 1)[0] if "." in text and text.rsplit(".", 1)[1].isdigit() else text


def _map_headers(chunks: Iterator[pd.DataFrame], columns: list, name: str, table: Table, mapping: dict,
                 encoding: str | None) -> ReadResult:
    header_to_column: dict[str, str] = mapping.get("columns", {})
    problems: list[Problem] = []
    notices: list[Problem] = []
    renamed: dict[str, str] = {}
    headers: dict[str, str] = {}
    for header in columns:
        base = _base_header(header)
        column = header_to_column.get(base) or (base if base in table.columns else None)
        if column is None:
            notices.append(Problem(name, f"导出规范之外的列「{base}」未载入（已忽略）", row=1, header=base, check="extra_column"))
            continue
        if column in headers:
            problems.append(Problem(name, "表头重复", row=1, column=column, header=base, check="header"))
            continue
        renamed[header] = column
        headers[column] = base
    if not headers and encoding is not None:
        garbled = _garbled_encoding(columns, header_to_column)
        if garbled:
            return ReadResult(None, headers, [Problem(name, garbled, row=1, check="encoding")], encoding)
    for column in table.columns.values():
        if column.name not in headers:
            expected = next((h for h, c in header_to_column.items() if c == column.name), column.label_zh)
            problems.append(Problem(name, f"缺少列「{expected}」", row=1, column=column.name, header=expected, check="header"))
    if problems:
        return ReadResult(None, headers, problems, encoding)
    return ReadResult(_renamed_chunks(chunks, renamed), headers, [], encoding, notices)


def _renamed_chunks(chunks: Iterator[pd.DataFrame], renamed: dict[str, str]) -> Iterator[pd.DataFrame]:
    """Each chunk under canonical names, cells stripped, numbered by spreadsheet row (header = 1)."""
    first_row = 2
    for chunk in chunks:
        frame = chunk[list(renamed)].rename(columns=renamed)
        frame = frame.apply(lambda s: s.astype(str).str.strip())
        frame.insert(0, "source_row", range(first_row, first_row + len(frame)))
        first_row += len(frame)
        yield frame


def _garbled_encoding(printed: list, header_to_column: dict[str, str]) -> str | None:
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
