"""Read a whole export into typed tables: manifest, checksums, headers, cell types.

Each file is read, typed and written to a DuckDB file (staged.py) one chunk at a time
(`validation.chunk_rows` in gridpulse.yml), so memory follows the chunk, not the month: a
province's 2.7 M app-days are never one pandas frame. The checks that need whole tables (keys,
references, the GX suites) then run against that file, also in chunks (gx_runner.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from gridpulse import config
from gridpulse.contract import Table, tables
from gridpulse.load.reader import ReadResult, read_table_file, truncation_problems
from gridpulse.load.typing import type_frame
from gridpulse.problems import Problem
from gridpulse.sources.manifest import checksum_problems, read_manifest, unknown_file_problems
from gridpulse.validate.staged import StagedTables

DEFAULT_CHUNK_ROWS = 250_000


def chunk_rows() -> int:
    """Rows read, typed and checked at a time (gridpulse.yml `validation.chunk_rows`)."""
    return int((config.settings().get("validation") or {}).get("chunk_rows", DEFAULT_CHUNK_ROWS))


@dataclass
class ExportData:
    folder: Path
    period: str
    export_id: str
    manifest: dict
    staged: Path                                                   # DuckDB file of the typed tables read
    files: dict[str, str] = field(default_factory=dict)            # table -> file name
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> header
    rows: dict[str, int] = field(default_factory=dict)             # table -> data rows, for files read to the end
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)   # repairs made while reading, for the report

    @property
    def readable(self) -> list[str]:
        """The tables whose file could be read, in the contract's order."""
        return [name for name in tables() if name in self.rows]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """The staged tables, read-only (a connection closes at the end of a `with` block)."""
        return duckdb.connect(str(self.staged), read_only=True)

    def frame(self, name: str) -> pd.DataFrame:
        """One typed table whole, for a small export (the demo's checks, tests)."""
        with self.connect() as con:
            return con.execute(f'SELECT * FROM "{name}" ORDER BY source_row').df()


def read_export(folder: Path, period: str, staged: Path, mapping: dict | None = None) -> ExportData:
    """Check the manifest and read every file of the export into `staged`, recording problems."""
    mapping = mapping or config.platform_mapping()
    manifest_name = config.manifest_name(mapping)
    manifest = read_manifest(folder, manifest_name)
    data = ExportData(folder, period, str(manifest["export_id"]), manifest, staged)
    if str(manifest["period"]) != period:
        data.problems.append(Problem(manifest_name, f"清单中的月份 {manifest['period']} 与考核月 {period} 不符", check="manifest"))
    data.problems += checksum_problems(folder, manifest, manifest_name)
    data.problems += unknown_file_problems(folder, [spec["file"] for spec in mapping["files"].values()], manifest_name)
    rows_in_manifest = {e["file"]: e.get("rows") for e in manifest["files"]}
    store = StagedTables(staged)
    try:
        for name, table in tables().items():
            file_spec = mapping["files"][name]
            _read_table(data, store, name, table, {**mapping, **file_spec}, rows_in_manifest.get(file_spec["file"]))
    finally:
        store.close()
    return data


def _read_table(data: ExportData, store: StagedTables, name: str, table: Table, file_spec: dict, expected_rows) -> None:
    file_name = file_spec["file"]
    result = read_table_file(data.folder / file_name, table, file_spec, chunk_rows())
    data.files[name] = file_name
    data.headers[name] = result.headers
    data.problems += result.problems
    data.notices += result.notices
    if result.chunks is None:
        return
    rows = _stage_chunks(data, store, name, table, result, file_spec)
    if rows is None:
        return
    data.rows[name] = rows
    data.problems += truncation_problems(result, rows, file_name)
    data.problems += _empty_table_problems(rows, table, file_name, data.notices)
    if expected_rows is not None and int(expected_rows) != rows:
        data.problems.append(Problem(file_name, f"数据行数 {rows} 与清单记录的 {expected_rows} 不符（文件可能不完整）", check="manifest_rows"))


def _stage_chunks(data: ExportData, store: StagedTables, name: str, table: Table, result: ReadResult, file_spec: dict) -> int | None:
    """Type every chunk and append it to the staged table; the rows read, or None if the file
    broke part-way (a row pandas cannot split), which is then a problem of its own."""
    rows = 0
    try:
        for chunk in result.chunks:
            typed, problems = type_frame(chunk, table, file_spec["file"], result.headers, file_spec)
            data.problems += problems
            store.append(name, typed)
            rows += len(chunk)
    except pd.errors.ParserError as exc:  # a CSV pandas cannot split, found in a later chunk
        store.drop(name)
        data.problems.append(Problem(file_spec["file"], f"文件无法读取：{exc}", check="read"))
        return None
    return rows


def _empty_table_problems(rows: int, table: Table, file_name: str, notices: list[Problem]) -> list[Problem]:
    """A file with a header and no rows: a month without rows is normal for some tables (no score
    adjustments this month), and a broken export for the others."""
    if rows:
        return []
    if table.may_be_empty:
        notices.append(Problem(file_name, f"文件只有表头：本月没有「{table.label_zh}」记录（按无记录载入）", row=1, check="empty_table"))
        return []
    return [Problem(file_name, f"文件只有表头，没有数据行：「{table.label_zh}」每月都应有记录（导出可能不完整）", row=2, check="empty_table")]
