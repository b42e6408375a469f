"""Read and check a whole export: manifest, checksums, headers, cell types, GX suites.

`read_export` is shared by validation and loading, so both see the same typed frames.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.load.reader import read_table_file
from gridpulse.load.typing import type_frame
from gridpulse.problems import Problem
from gridpulse.sources.manifest import checksum_problems, read_manifest, unknown_file_problems


@dataclass
class ExportData:
    folder: Path
    period: str
    export_id: str
    manifest: dict
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)            # table -> file name
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> header
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)   # repairs made while reading, for the report


def read_export(folder: Path, period: str, mapping: dict | None = None) -> ExportData:
    mapping = mapping or config.platform_mapping()
    manifest_name = config.manifest_name(mapping)
    manifest = read_manifest(folder, manifest_name)
    data = ExportData(folder, period, str(manifest["export_id"]), manifest)
    if str(manifest["period"]) != period:
        data.problems.append(Problem(manifest_name, f"清单中的月份 {manifest['period']} 与考核月 {period} 不符", check="manifest"))
    data.problems += checksum_problems(folder, manifest, manifest_name)
    data.problems += unknown_file_problems(folder, [spec["file"] for spec in mapping["files"].values()], manifest_name)
    rows_in_manifest = {e["file"]: e.get("rows") for e in manifest["files"]}
    for name, table in tables().items():
        file_spec = mapping["files"][name]
        result = read_table_file(folder / file_spec["file"], table, file_spec)
        data.files[name] = file_spec["file"]
        data.headers[name] = result.headers
        data.problems += result.problems
        data.notices += result.notices
        if result.frame is None:
            continue
        data.problems += _empty_table_problems(result.frame, table, file_spec["file"], data.notices)
        expected_rows = rows_in_manifest.get(file_spec["file"])
        if expected_rows is not None and int(expected_rows) != len(result.frame):
            data.problems.append(Problem(file_spec["file"], f"数据行数 {len(result.frame)} 与清单记录的 {expected_rows} 不符（文件可能不完整）", check="manifest_rows"))
        typed, problems = type_frame(result.frame, table, file_spec["file"], result.headers, {**mapping, **file_spec})
        data.problems += problems
        data.frames[name] = typed
    return data


def _empty_table_problems(frame: pd.DataFrame, table, file_name: str, notices: list[Problem]) -> list[Problem]:
    """A file with a header and no rows: a month without rows is normal for some tables (no score
    adjustments this month), and a broken export for the others."""
    if len(frame):
        return []
    if table.may_be_empty:
        notices.append(Problem(file_name, f"文件只有表头：本月没有「{table.label_zh}」记录（按无记录载入）", row=1, check="empty_table"))
        return []
    return [Problem(file_name, f"文件只有表头，没有数据行：「{table.label_zh}」每月都应有记录（导出可能不完整）", row=2, check="empty_table")]
