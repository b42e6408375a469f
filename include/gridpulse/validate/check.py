"""Validate one archived export; a failing export is quarantined and nothing is loaded."""
from __future__ import annotations

from pathlib import Path

from gridpulse import config
from gridpulse.problems import ExportRejected, Problem
from gridpulse.validate.crossfile import collision_problems
from gridpulse.validate.export import read_export
from gridpulse.validate.gx_runner import run_suites
from gridpulse.validate.report import quarantine, write_report


def without_repeats(found: list[Problem], checked: list[Problem]) -> list[Problem]:
    """GX's problems less those about a cell or row already named: a cell that is not a number is
    also null to GX, a truncated last row has empty cells; one message per cell is what staff need."""
    named_cells = {(p.file, p.row, p.column) for p in found if p.row is not None and p.column}
    named_rows = {(p.file, p.row) for p in found if p.row is not None and p.row > 1 and not p.column}
    return [p for p in checked if (p.file, p.row, p.column) not in named_cells and (p.file, p.row) not in named_rows]


def validate_export(archived: Path, period: str) -> Path:
    """Return the path of the passing report, or raise ExportRejected naming every problem."""
    data = read_export(archived, period)
    problems = data.problems + without_repeats(data.problems, run_suites(data)) + collision_problems(data)
    if problems:
        report = quarantine(archived, config.paths().quarantine, period, problems, data.export_id, data.notices)
        raise ExportRejected(f"{period} 导出 {data.export_id} 未通过校验，未发布任何结果 (validation failed, nothing was published)", problems, str(report))
    return write_report(archived.parent / (archived.name + ".validation"), period, data.export_id, [], data.notices)
