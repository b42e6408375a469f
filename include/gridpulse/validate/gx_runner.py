"""Run the contract's Great Expectations suites against the typed tables in DuckDB.

Each typed table gets its derived flag columns computed in SQL over the whole table (keys unique
in the file, references into other files, ranges, the month, durations: suites.py), in a narrow
table `flags_<table>` in file order, and a view `checked_<table>` sets them beside the typed rows.
GX then checks those views where they are, through its SQL data source on DuckDB (gx_duckdb.py):
no row is fetched into Python but the ones that fail, which come back by `source_row`, so every
message names the file, the row and the column.
"""
from __future__ import annotations

import json
import logging
import math
import sys
import threading

import duckdb
from sqlalchemy.pool import StaticPool

from gridpulse import config
from gridpulse.contract import Column, Table, tables
from gridpulse.ingest.typing import SCIENTIFIC
from gridpulse.period import Period
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, shown, unlisted
from gridpulse.validate.export import ExportData
from gridpulse.validate.gx_duckdb import IN_PROCESS, cursor_for_gx
from gridpulse.validate.suites import (
    carried_column,
    contract_column,
    duration_column,
    export_column,
    level_column,
    month_column,
    range_column,
    read_suite,
    reference_column,
    unique_column,
)

__all__ = ["MAX_ROWS_PER_CHECK", "checked_table", "checked_tables_sql", "run_suites"]


def checked_table(name: str) -> str:
    return f"checked_{name}"


def flags_table(name: str) -> str:
    return f"flags_{name}"


def _import_gx():
    # GX logs every public function it registers at import time; only its warnings matter here
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations  # noqa: F401


def start_importing_gx() -> None:
    """Import GX on a thread of its own: Python's import runs while DuckDB, which releases the
    GIL, reads the export; the first use of GX then waits on the import lock if it is not done."""
    if "great_expectations" not in sys.modules:
        threading.Thread(target=_import_gx, name="import-gx", daemon=True).start()


def _context():
    _import_gx()
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _month(period: Period) -> tuple[str, str]:
    """The month's first instant and the next month's, as SQL timestamps."""
    return tuple(f"TIMESTAMP '{day:%Y-%m-%d} 00:00:00'" for day in (period.first_day, period.next_first_day))


def _flag(holds: str, checked: str) -> str:
    """True or False where there is a value to check, empty where there is none (GX skips it)."""
    return f"CASE WHEN {checked} THEN ({holds}) END"


def _q(column: str) -> str:
    return f't."{column}"'


def in_column(value_sql: str, table: str, column: str, where: str = "TRUE") -> str:
    """SQL that holds where the value, as text, is one of a staged table's values in `column`
    (of its rows where `where` holds): a reference that resolves, or an id that collides."""
    return (f'CAST({value_sql} AS VARCHAR) IN (SELECT CAST("{column}" AS VARCHAR) FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL AND ({where}))')


def _column_flags(table: Table, column: Column, period: Period, readable: list[str], exported_at: str | None) -> dict[str, str]:
    value = _q(column.name)
    flags = {}
    if column.references_level:
        ref_table, ref_column = column.references.split(".")
        if ref_table in readable:
            levels = ", ".join(f"'{level}'" for level in column.references_level)
            of_level = in_column(value, ref_table, ref_column, f"org_level IN ({levels})")
            flags[level_column(column)] = _flag(of_level, f"{value} IS NOT NULL AND {in_column(value, ref_table, ref_column)}")
        else:
            flags[level_column(column)] = "CAST(NULL AS BOOLEAN)"
    if column.not_after_export:
        # without a time in the manifest there is nothing to compare with
        limit = f"TIMESTAMP '{exported_at}'" if exported_at else "NULL"
        flags[export_column(column)] = _flag(f"{value} <= {limit}", f"{value} IS NOT NULL AND {limit} IS NOT NULL")
    if column.max_hours_after:
        hours = f"date_diff('second', {_q(column.max_hours_after['column'])}, {value}) / 3600.0"
        flags[duration_column(column)] = _flag(f"{hours} BETWEEN 0 AND {column.max_hours_after['hours']}", f"{hours} IS NOT NULL")
    if column.references:
        ref_table, ref_column = column.references.split(".")
        # checked against nothing, every row that refers to an unreadable file would be reported
        # as unknown; that file has its own problem
        known = in_column(value, ref_table, ref_column) if ref_table in readable else "NULL"
        # a code in scientific notation has its own problem (its digits are lost), not one per row
        flags[reference_column(column)] = _flag(known, f"{value} IS NOT NULL AND NOT regexp_full_match(CAST({value} AS VARCHAR), '{SCIENTIFIC}')")
    if column.min is not None or column.max is not None:
        bounds = [f"{value} >= {column.min}" if column.min is not None else "TRUE",
                  f"{value} <= {column.max}" if column.max is not None else "TRUE"]
        flags[range_column(column)] = _flag(" AND ".join(bounds), f"{value} IS NOT NULL")
    if column.name == table.period_column:
        start, end = _month(period)
        checked = f"{value} IS NOT NULL"
        if table.period_exempt_if:  # carried-over events were reported in an earlier month
            checked += f" AND NOT coalesce({_q(table.period_exempt_if)}, FALSE)"
        flags[month_column(column)] = _flag(f"{value} >= {start} AND {value} < {end}", checked)
        if table.period_exempt_if:  # ... and so must be from before the month
            flags[carried_column(column)] = _flag(f"{value} < {start}", f"{value} IS NOT NULL AND coalesce({_q(table.period_exempt_if)}, FALSE)")
    return flags


def _flags(table: Table, period: Period, readable: list[str], exported_at: str | None) -> dict[str, str]:
    keys = [_q(k) for k in table.key]
    flags = {unique_column(table): _flag(f"count(*) OVER (PARTITION BY {', '.join(keys)}) = 1",
                                         " AND ".join(f"{k} IS NOT NULL" for k in keys))}
    for column in table.columns.values():
        flags.update(_column_flags(table, column, period, readable, exported_at))
    return flags


def checked_tables_sql(table: Table, period: Period, readable: list[str], exported_at: str | None) -> list[str]:
    """The statements that make checked_<table>: the typed rows with every flag their suite
    checks. The flags are sorted back into file order (the key's window scrambles rows), so they
    line up with the typed table, which is in file order as it was landed; and GX's first failing
    rows are the file's first, since DuckDB keeps a table's order through a filter and a limit."""
    derived = ", ".join(f'{sql} AS "{name}"' for name, sql in _flags(table, period, readable, exported_at).items())
    flags, checked = flags_table(table.name), checked_table(table.name)
    return [f'CREATE OR REPLACE TABLE "{flags}" AS SELECT t.source_row, {derived} FROM "{table.name}" AS t ORDER BY t.source_row',
            f'CREATE OR REPLACE VIEW "{checked}" AS SELECT t.*, f.* EXCLUDE (source_row) '
            f'FROM "{table.name}" AS t POSITIONAL JOIN "{flags}" AS f']


def _value_text(value, personal: bool) -> str:
    return shown("" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value), personal)


def _problems_of(result, file_name: str, headers: dict[str, str], personal: set[str]) -> list[Problem]:
    """The problems one failed expectation names: its first rows by file order, and a count of
    the rest; a check without rows (the table's columns) once."""
    config_ = result.expectation_config
    kwargs = config_.kwargs
    column = contract_column(kwargs.get("column") or kwargs.get("column_A"))
    header = headers.get(column)
    template = (config_.meta or {}).get("problem_zh", config_.type)
    if result.exception_info and result.exception_info.get("raised_exception"):
        return [Problem(file_name, f"校验无法执行：{result.exception_info.get('exception_message')}", column=column,
                        header=header, check=config_.type)]
    rows = sorted(result.result.get("unexpected_index_list") or [], key=lambda entry: entry["source_row"])
    count = result.result.get("unexpected_count") or len(rows)
    if not rows:
        missing = result.result.get("details", {}).get("mismatched") or {}
        return [Problem(file_name, f"{template} {missing}".strip(), column=column, header=header, check=config_.type)]
    problems = []
    for entry in rows[:MAX_ROWS_PER_CHECK]:
        value_text = _value_text(entry.get(column) if column else None, column in personal)
        problems.append(Problem(file_name, template.replace("{value}", value_text), row=int(entry["source_row"]),
                                column=column, header=header, value=value_text, check=config_.type))
    return problems + unlisted(file_name, count - len(problems), column, header, config_.type)


def _definition(context, batch, name: str, expectations: list[dict]):
    import great_expectations as gx

    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=expectations))
    return context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))


class _Suites:
    """GX's context, data source and each table's whole-suite validation, made once per process
    and suite text (a worker or the tests validate many months; making them costs more than
    running them on a district). Each run points the data source at that run's database."""

    def __init__(self, database: duckdb.DuckDBPyConnection):
        self.context = _context()
        self.database: duckdb.DuckDBPyConnection | None = database  # GX tries its connection at once
        # GX's engine gets a cursor on validation's own database (in memory: no file to open)
        self.source = self.context.data_sources.add_or_update_sql(
            "export", connection_string=IN_PROCESS,
            kwargs={"creator": lambda: cursor_for_gx(self.database), "poolclass": StaticPool})
        self.batches: dict[str, object] = {}
        self.definitions: dict[tuple[str, str], object] = {}

    def batch(self, name: str):
        if name not in self.batches:
            asset = self.source.add_table_asset(name, table_name=checked_table(name))
            self.batches[name] = asset.add_batch_definition_whole_table("month")
        return self.batches[name]

    def whole_suite(self, name: str, expectations: list[dict]):
        key = (name, json.dumps(expectations, sort_keys=True))
        if key not in self.definitions:
            self.definitions[key] = _definition(self.context, self.batch(name), name, expectations)
        return self.definitions[key]

    def release(self) -> None:
        """Close GX's cursors, so the database can close."""
        self.source.get_execution_engine().engine.dispose()
        self.source.get_engine().dispose()
        self.database = None


_SUITES: list[_Suites] = []


def _suites(database: duckdb.DuckDBPyConnection) -> _Suites:
    if not _SUITES:
        _SUITES.append(_Suites(database))
    _SUITES[0].database = database
    return _SUITES[0]


def _check_table(suites: _Suites, name: str, data: ExportData) -> list[Problem]:
    """Every expectation with success flags only (GX's cheapest result); the failed ones again
    with their rows. A good export never pays for listing rows."""
    table = tables()[name]
    expectations = read_suite(config.EXPECTATIONS_DIR, name)["expectations"]
    results = suites.whole_suite(name, expectations).run(result_format={"result_format": "BOOLEAN_ONLY"}).results
    # GX orders results its own way: each one names its expectation
    failed = [{key: r.expectation_config.to_json_dict()[key] for key in ("type", "kwargs", "meta")}
              for r in results if not r.success]
    if not failed:
        return []
    # the column each flag is about is named beside the row, so a message can quote its value
    quoted = list(dict.fromkeys(contract_column(c) for c in _flags(table, data.month, data.readable, None)))
    detailed = _definition(suites.context, suites.batch(name), f"{name}.failed", failed).run(
        result_format={"result_format": "COMPLETE", "partial_unexpected_count": MAX_ROWS_PER_CHECK,
                       "unexpected_index_column_names": ["source_row", *quoted]}).results
    personal = set(table.personal_columns)
    return [problem for checked in detailed if not checked.success
            for problem in _problems_of(checked, data.files[name], data.headers[name], personal)]


def run_suites(data: ExportData) -> list[Problem]:
    """Validate every table that could be read (its checked_<table> must exist); return the
    problems GX found."""
    suites = _suites(data.con)
    try:
        return [problem for name in data.readable for problem in _check_table(suites, name, data)]
    finally:
        suites.release()
