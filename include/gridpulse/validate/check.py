"""Validate one archived export; a failing export is quarantined and nothing is loaded."""
from __future__ import annotations

from pathlib import Path

from gridpulse import config
from gridpulse.problems import ExportRejected
from gridpulse.validate.export import read_export
from gridpulse.validate.gx_runner import run_suites
from gridpulse.validate.report import quarantine, write_report
from gridpulse.validate.staged import stage


def validate_export(archived: Path, period: str) -> Path:
    """Return the path of the passing report, or raise ExportRejected naming every problem."""
    data = read_export(archived, period)
    problems = data.problems + run_suites(data)
    if problems:
        report = quarantine(archived, config.paths().quarantine, period, problems, data.export_id)
        raise ExportRejected(f"{period} 导出 {data.export_id} 未通过校验，未发布任何结果 (validation failed, nothing was published)", problems, str(report))
    stage(data.frames, data.export_id, period, archived)  # the load step inserts these instead of parsing again
    return write_report(archived.parent / (archived.name + ".validation"), period, data.export_id, [])
