"""Validate one archived export; a failing export is quarantined and nothing is loaded."""
from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.ingest.staged import discard, scratch_folder, seal, write_tables
from gridpulse.period import Period
from gridpulse.problems import Problem
from gridpulse.quarantine import rejected, write_report
from gridpulse.validate.configured import configuration_problems, scheme_notices
from gridpulse.validate.crossfile import collision_problems
from gridpulse.validate.deployment import deployment_problems
from gridpulse.validate.event_times import transfer_problems
from gridpulse.validate.export import ExportData, read_export
from gridpulse.validate.gx_runner import checked_tables_sql, run_suites, start_importing_gx
from gridpulse.validate.suites import read_suite

log = logging.getLogger(__name__)
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staged-writer")


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


def _check(data: ExportData) -> list[Problem]:
    """Every check of the typed tables, in order from the file's to the month's."""
    for name in data.readable:
        for statement in checked_tables_sql(tables()[name], data.month, data.readable, data.exported_at):
            data.con.execute(statement)
    # the deployment's check before the district's own, so a unit of another district is reported as that district's
    return (data.problems + run_suites(data) + collision_problems(data.con, data) + transfer_problems(data.con, data)
            + deployment_problems(data)
            + configuration_problems(data))


def _start_writing(data: ExportData, archived: Path) -> Future | None:
    """Write the typed tables for the load step while GX checks them (DuckDB writes on its own
    threads while GX spends its time in Python); a month already known to be bad is not written."""
    if data.problems or len(data.readable) < len(tables()):
        return None
    return _WRITER.submit(write_tables, data.con.cursor(), archived)


def _finished(writing: Future) -> None:
    """Wait for a write that could not be cancelled, so its folder can be deleted."""
    with contextlib.suppress(Exception):  # the validation's own error is the one that matters
        writing.result()


def validate_export(archived: Path, month: Period) -> Path:
    """Return the path of the passing report, or raise ExportRejected naming every problem."""
    period = str(month)
    notices = scheme_notices(period)  # raises first when a configured scheme is not in force and gridpulse.yml says fail
    start_importing_gx()  # GX takes seconds to import, while DuckDB reads the files
    data, writing = None, None
    try:
        data = read_export(archived, month, scratch_folder(archived))
        data.notices += notices
        writing = _start_writing(data, archived)
        problems = one_per_cell(_check(data))
        if writing is not None:
            writing.result()
        if not problems:
            seal(archived, data.export_id, period)  # the load step inserts these
    finally:
        if writing is not None:
            writing.cancel() or _finished(writing)
        if data is not None:
            data.con.close()
        discard(archived)  # what validation wrote on its way holds personal data
    _log_files(data, problems)
    if problems:
        raise rejected(archived, config.paths().quarantine, period, problems, data.export_id, data.notices)
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
