"""Read one export file into a frame of text cells under canonical column names.

Files come as CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX with the platform's Chinese headers;
the platform mapping says which header is which canonical column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridpulse.contract import Table
from gridpulse.problems import Problem

# Tried in order: UTF-8 (a BOM is dropped) first, since GB18030 would also decode most UTF-8
# bytes into the wrong characters; GB18030 is the superset of GBK that Chinese Excel writes.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ReadResult:
    frame: pd.DataFrame | None
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> header as printed
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    # pandas decodes while it parses: a province's file is never held as one string
    for encoding in CSV_ENCODINGS:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        return frame, encoding
    raise UnicodeDecodeError("csv", b"", 0, 1, "neither UTF-8 nor GBK")


def _read_xlsx(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")


def read_table_file(path: Path, table: Table, mapping: dict) -> ReadResult:
    """Read `path` and rename its headers to the contract's columns of `table`."""
    name = path.name
    if not path.exists():
        return ReadResult(None, problems=[Problem(name, f"文件缺失：导出中没有「{table.label_zh}」文件", check="file_present")])
    try:
        if path.suffix.lower() == ".xlsx":
            frame, encoding = _read_xlsx(path), None
        else:
            frame, encoding = _read_csv(path)
    except UnicodeDecodeError:
        return ReadResult(None, problems=[Problem(name, "文件编码无法识别（应为 UTF-8 或 GBK）", check="encoding")])
    except pd.errors.EmptyDataError:
        return ReadResult(None, problems=[Problem(name, "文件为空，没有表头", check="header")])
    except Exception as exc:  # a corrupt workbook or a CSV pandas cannot split
        return ReadResult(None, problems=[Problem(name, f"文件无法读取：{exc}", check="read")])
    return _map_headers(frame, name, table, mapping, encoding)


def _map_headers(frame: pd.DataFrame, name: str, table: Table, mapping: dict, encoding: str | None) -> ReadResult:
    header_to_column: dict[str, str] = mapping.get("columns", {})
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    headers: dict[str, str] = {}
    for header in frame.columns:
        text = str(header).strip()
        # pandas marks a repeated header as "名称.1"
        base = text.rsplit(".", 1)[0] if "." in text and text.rsplit(".", 1)[1].isdigit() else text
        column = header_to_column.get(base) or (base if base in table.columns else None)
        if column is None:
            continue  # an extra column: ignored, the contract does not know it
        if column in headers:
            problems.append(Problem(name, "表头重复", row=1, column=column, header=base, check="header"))
            continue
        renamed[header] = column
        headers[column] = base
    for column in table.columns.values():
        if column.name not in headers:
            expected = next((h for h, c in header_to_column.items() if c == column.name), column.label_zh)
            problems.append(Problem(name, f"缺少列「{expected}」", row=1, column=column.name, header=expected, check="header"))
    if problems:
        return ReadResult(None, headers, problems, encoding)
    frame = frame[list(renamed)].rename(columns=renamed)
    frame = frame.apply(lambda s: s.astype(str).str.strip())
    frame.insert(0, "source_row", range(2, len(frame) + 2))
    return ReadResult(frame, headers, [], encoding)
