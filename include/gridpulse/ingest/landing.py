"""Each export file read once into a DuckDB landing table, every cell as text.

A landing table `landing_<table>` holds the file's name in `source_file` and one text column per
printed column (`col_0`, `col_1`, ...); a row's number in the file as a spreadsheet shows it
(the header is row 1) is its `rowid` + 2, since rows are inserted in file order and never moved.
CSV goes through DuckDB's own reader (a GBK file through a UTF-8 copy: encoding.py); a workbook
through calamine or openpyxl, a batch of rows at a time, as Arrow arrays.
"""
from __future__ import annotations

import csv
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import python_calamine

from gridpulse.contract import Table
from gridpulse.ingest.cell_limits import cell_problems, too_many_columns, too_many_rows
from gridpulse.ingest.encoding import Controls, CutInCharacter, UnknownEncoding, as_utf8, line_ends, with_lf_line_ends
from gridpulse.ingest.headers import HeaderMap, known_headers, map_headers, merged_header_problems
from gridpulse.ingest.workbook_cells import EmptySheet, SheetRows, first_rows, merged_header_ranges, read_sheet_rows
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, unlisted
from gridpulse.sources import gate

FIRST_DATA_ROW = 2  # the header is row 1


@dataclass
class LandedFile:
    file_name: str
    landing: str | None = None                  # the landing table; None if the file could not be read
    header_map: HeaderMap = field(default_factory=HeaderMap)
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None

    @property
    def readable(self) -> bool:
        return self.landing is not None


def landing_table(name: str) -> str:
    return f"landing_{name}"


def landing_column(position: int) -> str:
    return f"col_{position}"


def land_file(con: duckdb.DuckDBPyConnection, path: Path, name: str, table: Table, mapping: dict,
              scratch: Path, batch_rows: int) -> LandedFile:
    """Read `path` into landing_<name>; problems name the file, the row and the column."""
    landed = LandedFile(path.name)
    if not os.path.lexists(path):
        landed.problems.append(Problem(path.name, f"文件缺失：导出中没有「{table.label_zh}」文件", check="file_present"))
        return landed
    bounds = gate.limits()
    try:
        os.close(gate.open_regular(path, bounds.file_bytes))
    except gate.NotRegular:
        landed.problems.append(Problem(path.name, "不是普通文件（符号链接、设备或管道）：不会读取它", check="not_regular"))
        return landed
    except gate.TooLarge as large:
        landed.problems.append(Problem(path.name, f"文件有 {large.size} 字节，超过上限 {large.limit} 字节（export_limits.file_bytes）",
                                       check="limit:file_bytes"))
        return landed
    try:
        if path.suffix.lower() == ".xlsx":
            _land_workbook(con, path, name, table, mapping, batch_rows, landed, bounds)
        else:
            _land_csv(con, path, name, table, mapping, scratch, landed, bounds)
    except UnknownEncoding:
        landed.problems.append(Problem(path.name, "文件编码无法识别（应为 UTF-8 或 GBK）", check="encoding"))
        landed.landing = None
    except (EmptySheet, _EmptyText):
        landed.problems.append(Problem(path.name, "文件为空，没有表头", check="header"))
        landed.landing = None
    except (zipfile.BadZipFile, EOFError, python_calamine.ZipError):
        landed.problems.append(Problem(path.name, "文件无法读取：不是完整的 XLSX 工作簿（可能在传输中被截断或损坏）；请从平台重新导出", check="read"))
        landed.landing = None
    except CutInCharacter as cut:
        landed.problems.append(Problem(path.name, f"文件在一个汉字的中间结束：最后一行在传输中被截断（{cut.encoding}）；请从平台重新导出完整文件",
                                       row=_last_row(path), check="truncated"))
        landed.landing = None
    except Exception as exc:  # a file DuckDB or the workbook reader cannot read at all
        landed.problems.append(Problem(path.name, "文件无法读取：内容不是平台导出的 CSV 或 XLSX 表格；请从平台重新导出"
                                                  f"（读取程序的说明：{type(exc).__name__}: {_first_line(exc)}）", check="read"))
        landed.landing = None
    if landed.landing is None:  # what was landed of a file that cannot be read proves nothing
        con.execute(f'DROP TABLE IF EXISTS "{landing_table(name)}"')
    return landed


def _last_row(path: Path) -> int:
    """The spreadsheet row of a text file's last line (the header is row 1)."""
    with open(path, "rb") as handle:
        breaks = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 22), b""))
    return breaks + (0 if _ends_with_line_break(path) else 1)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _create(con, name: str, width: int) -> str:
    target = landing_table(name)
    columns = ", ".join(f'"{landing_column(i)}" VARCHAR' for i in range(width))
    con.execute(f'CREATE OR REPLACE TABLE "{target}" (source_file VARCHAR, {columns})')
    return target


# --- workbooks -------------------------------------------------------------------------------

def _title_row_problem(file_name: str, first: list[str], second: list[str], table: Table, mapping: dict) -> list[Problem]:
    """A row above the header (a report title a person added): row 1 holds no header of the
    table, row 2 holds most of them. Said once, instead of one missing column per column."""
    if known_headers(first, table, mapping) or known_headers(second, table, mapping) * 2 < len(table.columns):
        return []
    title = "".join(str(cell).strip() for cell in first if str(cell).strip()) or "（空行）"
    return [Problem(file_name, f"第 1 行是「{title}」，表头在第 2 行：请删除表头上方的标题行后重新导出", row=1, check="header")]


def _land_workbook(con, path: Path, name: str, table: Table, mapping: dict, batch_rows: int, landed: LandedFile,
                   bounds: gate.Limits) -> None:
    sheet = read_sheet_rows(path, batch_rows, lambda row: known_headers(row, table, mapping) > 0)
    landed.problems += too_many_columns(path.name, len(sheet.headers), bounds.header_columns)
    if landed.problems:
        return
    if sheet.skipped:
        landed.header_map.notices.append(Problem(path.name, sheet.skipped, row=1, check="sheet_chosen"))
    if sheet.empty_headers:
        merged = merged_header_problems(path.name, merged_header_ranges(path), table, mapping)
        if merged:
            landed.problems += merged
            return
    notices = landed.header_map.notices
    landed.header_map = map_headers(sheet.headers, path.name, table, mapping, text_file=False)
    landed.header_map.notices[:0] = notices
    if not landed.header_map.usable:
        rows = first_rows(path, sheet.sheet_index) + [[], []]
        titled = _title_row_problem(path.name, rows[0], rows[1], table, mapping)
        if titled:
            landed.header_map.problems = titled
        return
    landed.landing = _create(con, name, len(sheet.headers))
    read = 0
    for batch in sheet.batches:
        _insert_batch(con, landed.landing, path.name, batch, len(sheet.headers))
        read += len(batch)
        if read > bounds.rows:  # not read further: the file is refused
            landed.problems += too_many_rows(path.name, read, bounds.rows)
            landed.landing = None
            return
    _drop_trailing_blank_rows(con, landed.landing, len(sheet.headers))
    landed.rows = con.execute(f'SELECT count(*) FROM "{landed.landing}"').fetchone()[0]
    landed.problems += _formula_problems(sheet, landed.header_map, path.name)
    _check_cells(con, landed, len(sheet.headers), sheet.headers, bounds, controls=True)


def _check_cells(con, landed: LandedFile, width: int, printed: list[str], bounds: gate.Limits, controls: bool) -> None:
    """Cells too long or holding control characters: the file is refused at those cells, and
    nothing of it is typed (cell_limits.py)."""
    found = cell_problems(con, landed.landing, width, landed.file_name, landed.header_map, printed, bounds.cell_chars, controls)
    if found:
        landed.problems += found
        landed.landing = None


def _insert_batch(con, target: str, file_name: str, batch: list[list[str]], width: int) -> None:
    arrays = {"source_file": pa.array([file_name] * len(batch), pa.string())}
    for position in range(width):
        arrays[landing_column(position)] = pa.array([row[position] for row in batch], pa.string())
    landing_batch = pa.table(arrays)  # noqa: F841 (DuckDB reads the local Arrow table by name)
    con.execute(f'INSERT INTO "{target}" SELECT * FROM landing_batch')


def _drop_trailing_blank_rows(con, target: str, width: int) -> None:
    """Blank rows at the end are formatting, not data; blank rows inside stay (row numbers hold)."""
    filled = " OR ".join(f"coalesce(\"{landing_column(i)}\", '') <> ''" for i in range(width)) or "FALSE"
    con.execute(f'DELETE FROM "{target}" WHERE rowid > (SELECT coalesce(max(rowid), -1) FROM "{target}" WHERE {filled})')


def _formula_problems(sheet: SheetRows, header_map: HeaderMap, file_name: str) -> list[Problem]:
    """A formula in an export is not data: its text is not what the platform recorded, and its
    cached value may be missing. The value is never echoed (it may sit in a personal column)."""
    by_header = {header: column for column, header in header_map.headers.items()}
    problems = []
    for row, header in sheet.formulas:
        column = by_header.get(header)
        if column is not None:
            problems.append(Problem(file_name, "单元格是公式，不是数据（导出中不应有公式，请以数值/文本重新导出）",
                                    row=row, column=column, header=header, check="formula"))
    return problems


# --- CSV -------------------------------------------------------------------------------------

class _EmptyText(Exception):
    """A text file without even a header line."""


REJECT_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _land_csv(con, path: Path, name: str, table: Table, mapping: dict, scratch: Path, landed: LandedFile,
              bounds: gate.Limits) -> None:
    controls = Controls()
    text_path, landed.encoding = as_utf8(path, scratch / f"{name}.utf8.csv", controls)
    read_path = text_path
    try:
        printed, second = _first_lines(text_path)
        landed.problems += too_many_columns(path.name, len(printed), bounds.header_columns)
        if landed.problems:
            return
        landed.header_map = map_headers(printed, path.name, table, mapping, text_file=True)
        if not landed.header_map.usable:
            titled = _title_row_problem(path.name, printed, second, table, mapping)
            if titled and not any(p.check == "encoding" for p in landed.header_map.problems):
                landed.header_map.problems = titled
            return
        landed.landing = _create(con, name, len(printed))
        rejected, read_path = _read_csv_with_line_ends(con, text_path, scratch / f"{name}.lf.csv", landed, len(printed))
        landed.rows = con.execute(f'SELECT count(*) FROM "{landed.landing}"').fetchone()[0]
        landed.problems += _reject_problems(rejected, path, len(printed), landed, bounds) or _unended_problems(path, landed)
        landed.problems += too_many_rows(path.name, landed.rows, bounds.rows)
        if landed.landing is not None:
            _check_cells(con, landed, len(printed), printed, bounds, controls.found)
    finally:
        for copy in {text_path, read_path} - {path}:
            copy.unlink(missing_ok=True)  # a UTF-8 or LF copy holds personal data too


def _read_csv_with_line_ends(con, text_path: Path, lf_copy: Path, landed: LandedFile, width: int) -> tuple[list[tuple], Path]:
    """The records of a CSV (see _read_csv). A file whose lines end partly in CRLF and partly in
    LF (two tools wrote it) stops DuckDB's reader: it is read again from a copy with LF line ends,
    and the report says so; any other reader error goes up as before."""
    try:
        return _read_csv(con, text_path, landed.landing, landed.file_name, width), text_path
    except duckdb.InvalidInputException:
        crlf, lf = line_ends(text_path)
        if not (crlf and lf):
            raise
    con.execute("DROP TABLE IF EXISTS landing_rejects")
    con.execute("DROP TABLE IF EXISTS landing_reject_scans")
    landed.header_map.notices.append(Problem(landed.file_name, f"文件混用两种换行（{crlf} 行以 CRLF 结尾，{lf} 行以 LF 结尾，"
                                                             "像是被两个程序先后写过）：已统一按 LF 换行读取", row=1,
                                             check="line_ends"))
    normalised = with_lf_line_ends(text_path, lf_copy)
    return _read_csv(con, normalised, landed.landing, landed.file_name, width), normalised


def _first_lines(text_path: Path) -> tuple[list[str], list[str]]:
    """The header record and the one after it (empty if none)."""
    with open(text_path, encoding="utf-8-sig", newline="") as handle:
        records = csv.reader(handle)
        header = next(records, None)
        second = next(records, [])
    if header is None:
        raise _EmptyText()
    return header, second


def _read_csv(con, text_path: Path, target: str, file_name: str, width: int) -> list[tuple]:
    """Every record into the landing table, each cell as text; the records DuckDB could not split
    into the header's columns come back as (line, error type, message), and are not landed."""
    columns = "{" + ", ".join(f"'{landing_column(i)}': 'VARCHAR'" for i in range(width)) + "}"
    con.execute(
        f"""INSERT INTO "{target}" SELECT ? AS source_file, * FROM read_csv(?, header = true, auto_detect = false,
            delim = ',', quote = '"', escape = '"', columns = {columns}, store_rejects = true,
            rejects_table = 'landing_rejects', rejects_scan = 'landing_reject_scans')""",
        [file_name, str(text_path)])
    try:
        return con.execute("SELECT line, error_type, error_message FROM landing_rejects ORDER BY line").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS landing_rejects")
        con.execute("DROP TABLE IF EXISTS landing_reject_scans")


def _reject_problems(rejected: list[tuple], path: Path, width: int, landed: LandedFile, bounds: gate.Limits) -> list[Problem]:
    """A record cut short at the very end of a file without a final line break is a transfer cut
    off; any other record that cannot be split makes the rows after it unnumberable, so the file
    is refused whole, with the records named."""
    if not rejected:
        return []
    last_line, kind, message = rejected[-1]
    if len(rejected) == 1 and kind == "MISSING COLUMNS" and not _ends_with_line_break(path):
        found = REJECT_COUNTS.search(message)
        fields = found.group(2) if found else "?"
        return [Problem(path.name, f"最后一行不完整：只有 {fields} 列，表头有 {width} 列（文件可能在传输中被截断）",
                        row=int(last_line), check="truncated")]
    landed.landing = None
    problems = [Problem(path.name, _reject_text(kind, message, width, bounds), row=int(line), check="read")
                for line, kind, message in rejected[:MAX_ROWS_PER_CHECK]]
    return problems + unlisted(path.name, len(rejected) - MAX_ROWS_PER_CHECK, None, None, "read")


def _unended_problems(path: Path, landed: LandedFile) -> list[Problem]:
    """A platform ends every line of its export with a line break. A file whose last record has
    all its fields but no line break was most likely cut inside its last value (7.14 arriving as
    7.), which no check of the value itself can see: that record is refused."""
    if not landed.rows or _ends_with_line_break(path):
        return []
    return [Problem(path.name, "文件末尾没有换行：最后一行可能在传输中被截断（其最后一个值可能不完整，如 7.14 变成 7.）；"
                               "请从平台重新导出完整文件", row=landed.rows + 1, check="truncated")]


def _reject_text(kind: str, message: str, width: int, bounds: gate.Limits) -> str:
    counts = REJECT_COUNTS.search(message)
    if kind == "LINE SIZE OVER MAXIMUM":
        sizes = re.findall(r"\d+", message)  # the reader's limit, then the line's size
        said = f"该行 {sizes[1]} 字节，读取上限 {sizes[0]} 字节" if len(sizes) >= 2 else "该行超过读取上限"
        return (f"该行过长（{said}）：有单元格过长（每个单元格至多 {bounds.cell_chars} 个字符，"
                "export_limits.cell_chars）；请核对该记录后重新导出")
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS") and counts:
        return f"该行有 {counts.group(2)} 列，表头有 {width} 列（可能有未加引号的逗号或换行）；文件无法按列读取"
    if kind == "INVALID UNICODE":
        return "该行编码与文件其余部分不一致（文件混有两种编码）；请从平台以 UTF-8 或 GBK 重新导出"
    return f"该行无法按列读取；请检查该行的引号和分隔符，或从平台重新导出（读取程序的说明：{message.strip().splitlines()[0]}）"


def _ends_with_line_break(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")
