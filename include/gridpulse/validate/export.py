"""Read a whole export into DuckDB: manifest, checksums, headers, cell types.

Each file is read once into a landing table of text and typed from there in SQL
(gridpulse.ingest); nothing of the month passes through pandas. The database is validation's own,
in memory and spilling to the export's private scratch folder beyond `validation.memory_limit`
(a disk-backed file costs four times as much to write). The checks that need whole tables (keys,
references, the GX suites) then run in the same database (gx_runner.py, crossfile.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from gridpulse import config
from gridpulse.contract import Table, tables
from gridpulse.ingest.landing import LandedFile, land_file, landing_table
from gridpulse.ingest.typing import (
    active_text_notices,
    path_like_code_problems,
    respelling_notices,
    scientific_code_problems,
    typed_table_sql,
    unreadable_problems,
)
from gridpulse.period import Period
from gridpulse.problems import Problem
from gridpulse.sources import gate
from gridpulse.sources.manifest import checksum_problems, read_manifest, unknown_file_problems

DEFAULT_BATCH_ROWS = 100_000
DEFAULT_MEMORY_LIMIT = "1GB"


def _validation_settings() -> dict:
    return config.settings().get("validation") or {}


def batch_rows() -> int:
    """Rows of a workbook handed to DuckDB at a time (gridpulse.yml `validation.batch_rows`)."""
    return int(_validation_settings().get("batch_rows", DEFAULT_BATCH_ROWS))


def memory_limit() -> str:
    """DuckDB's memory while it reads and checks a month (gridpulse.yml `validation.memory_limit`);
    beyond it DuckDB spills to disk."""
    return str(_validation_settings().get("memory_limit", DEFAULT_MEMORY_LIMIT))


@dataclass
class ExportData:
    folder: Path
    month: Period
    export_id: str
    manifest: dict
    con: duckdb.DuckDBPyConnection                                 # the database of the landing and typed tables
    files: dict[str, str] = field(default_factory=dict)            # table -> file name
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> header
    rows: dict[str, int] = field(default_factory=dict)             # table -> data rows, for files that could be read
    encodings: dict[str, str] = field(default_factory=dict)        # table -> the encoding the file was read in
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)   # repairs made while reading, for the report

    @property
    def period(self) -> str:
        return str(self.month)

    @property
    def exported_at(self) -> str | None:
        """When the platform made the export, in Beijing time as the export's own times are
        (the manifest may give an offset), as 'YYYY-MM-DD HH:MM:SS'; None if it does not say."""
        stamp = self.manifest.get("exported_at")
        if not stamp:
            return None
        moment = datetime.fromisoformat(str(stamp))
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(config.settings().get("timezone", "Asia/Shanghai"))).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def readable(self) -> list[str]:
        """The tables whose file could be read, in the contract's order."""
        return [name for name in tables() if name in self.rows]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the typed tables (closing it, at the end of a `with` block, leaves them)."""
        return self.con.cursor()

    def frame(self, name: str):
        """One typed table whole under the contract's names, as a small pandas frame (the demo's
        checks and tests; the pipeline never reads a table into Python)."""
        columns = ", ".join(f'"{c}"' for c in ["source_row", *tables()[name].columns])
        with self.connect() as con:
            return con.execute(f'SELECT {columns} FROM "{name}" ORDER BY source_row').df()


def validation_database(scratch: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database bounded by `validation.memory_limit`, spilling into `scratch`."""
    return duckdb.connect(config={"memory_limit": memory_limit(), "temp_directory": str(scratch)})


def read_export(folder: Path, month: Period, scratch: Path, con: duckdb.DuckDBPyConnection | None = None,
                mapping: dict | None = None) -> ExportData:
    """Check the manifest and read every file of the export into typed tables of `con` (a new
    validation database if none is given), recording problems."""
    con = con or validation_database(scratch)
    mapping = mapping or config.platform_mapping()
    manifest_name = config.manifest_name(mapping)
    manifest = read_manifest(folder, manifest_name)
    period = str(month)
    data = ExportData(folder, month, str(manifest["export_id"]), manifest, con)
    if str(manifest["period"]) != period:
        data.problems.append(Problem(manifest_name, f"清单中的月份 {manifest['period']} 与考核月 {period} 不符", check="manifest"))
    known = [spec["file"] for spec in mapping["files"].values()]
    checked = gate.check_folder(folder, manifest, manifest_name, gate.limits())
    data.problems += checked.unsafe + gate.presence_problems(checked, set(known))
    data.problems += checksum_problems(folder, manifest, manifest_name)
    data.problems += unknown_file_problems(folder, known, manifest_name)
    rows_in_manifest = {e["file"]: e.get("rows") for e in manifest["files"]}
    for name, table in tables().items():
        file_spec = {**mapping, **mapping["files"][name]}
        landed = land_file(con, folder / file_spec["file"], name, table, file_spec, scratch, batch_rows())
        _record(data, con, name, table, file_spec, landed, rows_in_manifest.get(file_spec["file"]))
    return data


def _record(data: ExportData, con, name: str, table: Table, file_spec: dict, landed: LandedFile, expected_rows) -> None:
    """Type a landed file and note what was found."""
    file_name = file_spec["file"]
    data.files[name] = file_name
    data.headers[name] = landed.header_map.headers
    data.problems += landed.header_map.problems + landed.problems
    data.notices += landed.header_map.notices
    if not landed.readable:
        return
    con.execute(typed_table_sql(name, landed, table, file_spec))
    con.execute(f'DROP TABLE "{landing_table(name)}"')  # read once: the typed table is all that is checked
    data.rows[name] = landed.rows
    data.encodings[name] = landed.encoding or ("xlsx" if file_name.lower().endswith(".xlsx") else "utf-8")
    data.problems += unreadable_problems(con, name, table, file_name, landed.header_map.headers)
    data.problems += scientific_code_problems(con, name, table, file_name, landed.header_map.headers)
    data.problems += path_like_code_problems(con, name, table, file_name, landed.header_map.headers)
    data.notices += active_text_notices(con, name, table, file_name, landed.header_map.headers)
    data.notices += respelling_notices(con, name, table, file_name, landed.header_map.headers)
    data.problems += _empty_table_problems(landed.rows, table, file_name, data.notices)
    if expected_rows is not None and int(expected_rows) != landed.rows and not _truncated(landed):
        data.problems.append(Problem(file_name, f"数据行数 {landed.rows} 与清单记录的 {expected_rows} 不符（文件可能不完整）", check="manifest_rows"))


def _truncated(landed: LandedFile) -> bool:
    """A file cut off in transfer has already been named for it; its count is one short too."""
    return any(p.check == "truncated" for p in landed.problems)


def _empty_table_problems(rows: int, table: Table, file_name: str, notices: list[Problem]) -> list[Problem]:
    """A file with a header and no rows: a month without rows is normal for some tables (no score
    adjustments this month), and a broken export for the others."""
    if rows:
        return []
    if table.may_be_empty:
        notices.append(Problem(file_name, f"文件只有表头：本月没有「{table.label_zh}」记录（按无记录载入）", row=1, check="empty_table"))
        return []
    return [Problem(file_name, f"文件只有表头，没有数据行：「{table.label_zh}」每月都应有记录（导出可能不完整）", row=2, check="empty_table")]
