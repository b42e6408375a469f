"""Validate one archived export; a failing export is quarantined and nothing is loaded."""
from __future__ import annotations

import logging
from pathlib import Path

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.ingest.staged import discard, open_partial, partial_path, scratch_folder, seal
from gridpulse.period import Period
from gridpulse.problems import ExportRejected, Problem
from gridpulse.validate.configured import configuration_problems, scheme_notices
from gridpulse.validate.crossfile import collision_problems
from gridpulse.validate.export import ExportData, memory_limit, read_export
from gridpulse.validate.gx_runner import checked_tables_sql, run_suites
from gridpulse.validate.report import quarantine, write_report
from gridpulse.validate.suites import read_suite

log = logging.getLogger(__name__)


def one_per_cell(problems: list[Problem]) -> list[Problem]:
    """The first problem of each cell, and none for a row already named whole. A cell that is not
    a number is also null to GX; a patrol ending before it starts is also outside [0, 24] hours;
    a truncated last row has empty cells. Problems come in order from the most basic check (the
    file, the cell's type) to the least, so the first one is the one that explains the rest."""
    kept, cells, rows = [], set(), set()
    for problem in problems:
        if problem.row is not None and problem.row > 1:
            cell = (problem.file, problem.row, problem.column)
            if cell in cells or (problem.file, problem.row) in rows:
                continue
            cells.add(cell)
            if not problem.column:
                rows.add((problem.file, problem.row))
        kept.append(problem)
    return kept


def _stage_and_check(archived: Path, period: str) -> tuple[ExportData, list[Problem]]:
    """Read the export into the partial staged file and run every check there."""
    con = open_partial(archived, memory_limit())
    try:
        data = read_export(archived, period, partial_path(archived), scratch_folder(archived), con)
        for name in data.readable:
            con.execute(checked_tables_sql(tables()[name], Period.parse(period), data.readable))
        found = collision_problems(con, data)
    finally:
        con.close()  # GX opens the file through its own engine
    return data, data.problems + run_suites(data) + found + configuration_problems(data)


def validate_export(archived: Path, period: str) -> Path:
    """Return the path of the passing report, or raise ExportRejected naming every problem."""
    notices = scheme_notices(period)  # raises first when a configured scheme is not in force and gridpulse.yml says fail
    try:
        data, found = _stage_and_check(archived, period)
        data.notices += notices
        problems = one_per_cell(found)
    except BaseException:
        discard(archived)  # the staged tables hold personal data
        raise
    _log_files(data, problems)
    if problems:
        discard(archived)
        report = quarantine(archived, config.paths().quarantine, period, problems, data.export_id, data.notices)
        log.error("REJECTED %s export %s: %d problem(s), nothing loaded; report %s", period, data.export_id,
                  len(problems), report)
        raise ExportRejected(f"{period} 导出 {data.export_id} 未通过校验，未发布任何结果 (validation failed, nothing was published)", problems, str(report))
    seal(archived, data.export_id, period, keep=list(tables()))  # the load step inserts these
    report = write_report(archived.parent / (archived.name + ".validation"), period, data.export_id, [], data.notices)
    log.info("PASSED %s export %s: %d files, %d rows; report %s", period, data.export_id, len(data.rows),
             sum(data.rows.values()), report)
    return report


def _log_files(data: ExportData, problems: list[Problem]) -> None:
    """One line per file: rows, encoding, repairs, GX checks run and passed, other problems."""
    for name, file_name in data.files.items():
        own = [p for p in problems if p.file == file_name]
        failed_checks = {(p.check, p.column) for p in own if (p.check or "").startswith("expect_")}
        repairs = sum(1 for notice in data.notices if notice.file == file_name)
        if name not in data.rows:
            log.info("%s: not readable, %d problem(s)", file_name, len(own))
            continue
        checks = len(read_suite(config.EXPECTATIONS_DIR, name)["expectations"])
        log.info("%s: %d rows, %s, %d repair(s), GX checks %d run, %d passed, %d problem(s) in all",
                 file_name, data.rows[name], data.encodings.get(name, "?"), repairs, checks,
                 checks - len(failed_checks), len(own))
