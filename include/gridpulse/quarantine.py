"""Reports on an export, and quarantine for exports that fail: at validation, or later in a dbt test."""
from __future__ import annotations

import json
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from gridpulse.files.safe_paths import inside
from gridpulse.private_files import make_private
from gridpulse.problems import ExportRejected, Problem, bounded

log = logging.getLogger(__name__)

REPORT_JSON = "validation_report.json"
REPORT_TEXT = "validation_report.txt"


def write_report(folder: Path, period: str, export_id: str, problems: list[Problem], notices: list[Problem] = (),
                 stage: str = "校验") -> Path:
    """The report of one export: its problems, and the repairs made while reading it (an ignored
    extra column, a BOM dropped, a table with no rows), so an accepted export says what was done.
    Each check lists at most MAX_PER_CLASS problems and counts the rest, whatever the input."""
    folder.mkdir(parents=True, exist_ok=True)
    counted = len(problems)
    problems, notices = bounded(list(problems)), bounded(list(notices))
    body = {
        "period": period,
        "export_id": export_id,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passed": not problems,
        "problem_count": counted,
        "problems": [p.as_dict() for p in problems],
        "repairs": [p.as_dict() for p in notices],
    }
    (folder / REPORT_JSON).write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    lines = [f"{period} 导出 {export_id} {stage}{'通过' if not problems else f'未通过：{counted} 处问题'}"]
    lines += [p.text() for p in problems]
    if notices:
        lines.append(f"读取时的处理（{len(notices)} 项）：")
        lines += [p.text() for p in notices]
    (folder / REPORT_TEXT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    make_private(folder)  # it sits beside the export's staged tables
    return folder / REPORT_TEXT


def quarantine(archived: Path, quarantine_root: Path, period: str, problems: list[Problem], export_id: str,
               notices: list[Problem] = (), stage: str = "校验") -> Path:
    """Keep a failed export, with its report, where staff can look at it; the archive keeps its own copy."""
    target = inside(quarantine_root, period, archived.name)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(archived, target)
    report = write_report(target, period, export_id, problems, notices, stage)
    make_private(quarantine_root)  # a quarantined export holds personal data like the archive
    return report


def rejected(archived: Path, quarantine_root: Path, period: str, problems: list[Problem], export_id: str,
             notices: list[Problem] = (), stage: str = "校验", stage_en: str = "validation") -> ExportRejected:
    """Quarantine a failed export with its report and return the error to raise: the same for a
    month refused at validation and one refused later by dbt's tests."""
    report = quarantine(archived, quarantine_root, period, problems, export_id, notices, stage)
    log.error("REJECTED %s export %s at %s: %d problem(s), nothing published; report %s", period, export_id,
              stage_en, len(problems), report)
    return ExportRejected(f"{period} 导出 {export_id} {stage}未通过，未发布任何结果 ({stage_en} failed, nothing was published)",
                          problems, str(report))
