"""Run the contract's Great Expectations suites against the staged DuckDB tables.

Each typed table is copied once into `checked_<table>` with its derived flag columns computed in
SQL over the whole table (keys unique in the file, references into other files, ranges, the
month, durations: suites.py). GX then checks those tables where they are, through its SQL data
source on DuckDB (gx_duckdb.py): no row is fetched into Python but the ones that fail, which come
back by `source_row`, so every message names the file, the row and the column.
"""
from __future__ import annotations

import logging
import math

from sqlalchemy.pool import StaticPool

from gridpulse import config
from gridpulse.contract import Column, Table, tables
from gridpulse.period import Period
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, shown, unlisted
from gridpulse.validate.export import ExportData, memory_limit
from gridpulse.validate.gx_duckdb import connection_string
from gridpulse.validate.suites import (contract_column, duration_column, month_column, range_column, read_suite,
                                       reference_column, unique_column)

__all__ = ["MAX_ROWS_PER_CHECK", "checked_table", "checked_tables_sql", "run_suites"]


def checked_table(name: str) -> str:
    return f"checked_{name}"


def _context():
    # GX logs every public function it registers at import time; only its warnings matter here
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
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


def in_column(value_sql: str, table: str, column: str) -> str:
    """SQL that holds where the value, as text, is one of a staged table's values in `column`:
    a reference that resolves, or an id that collides."""
    return (f'CAST({value_sql} AS VARCHAR) IN (SELECT CAST("{column}" AS VARCHAR) FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL)')


def _column_flags(table: Table, column: Column, period: Period, readable: list[str]) -> dict[str, str]:
    value = _q(column.name)
    flags = {}
    if column.max_hours_after:
        hours = f"date_diff('second', {_q(column.max_hours_after['column'])}, {value}) / 3600.0"
        flags[duration_column(column)] = _flag(f"{hours} BETWEEN 0 AND {column.max_hours_after['hours']}", f"{hours} IS NOT NULL")
    if column.references:
        ref_table, ref_column = column.references.split(".")
        # checked against nothing, every row that refers to an unreadable file would be reported
        # as unknown; that file has its own problem
        known = in_column(value, ref_table, ref_column) if ref_table in readable else "NULL"
        flags[reference_column(column)] = _flag(known, f"{value} IS NOT NULL")
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
    return flags


def _flags(table: Table, period: Period, readable: list[str]) -> dict[str, str]:
    keys = [_q(k) for k in table.key]
    flags = {unique_column(table): _flag(f"count(*) OVER (PARTITION BY {', '.join(keys)}) = 1",
                                         " AND ".join(f"{k} IS NOT NULL" for k in keys))}
    for column in table.columns.values():
        flags.update(_column_flags(table, column, period, readable))
    return flags


def checked_tables_sql(table: Table, period: Period, readable: list[str]) -> str:
    """CREATE TABLE checked_<table>: the typed table with every flag its suite checks, in file
    order (the key's window scrambles rows; sorted back, GX's first failing rows are the file's
    first, since DuckDB keeps a table's order through a filter and a limit)."""
    derived = ", ".join(f'{sql} AS "{name}"' for name, sql in _flags(table, period, readable).items())
    return (f'CREATE OR REPLACE TABLE "{checked_table(table.name)}" AS SELECT t.*, {derived} FROM "{table.name}" AS t '
            "ORDER BY t.source_row")


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


def _run(context, batch, name: str, expectations: list[dict], result_format: dict):
    import great_expectations as gx

    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    return definition.run(result_format=result_format).results


def _check_table(context, source, name: str, data: ExportData) -> list[Problem]:
    """Every expectation with success flags only (GX's cheapest result); the failed ones again
    with their rows. A good export never pays for listing rows."""
    table = tables()[name]
    expectations = read_suite(config.EXPECTATIONS_DIR, name)["expectations"]
    batch = source.add_table_asset(name, table_name=checked_table(name)).add_batch_definition_whole_table("month")
    results = _run(context, batch, name, expectations, {"result_format": "BOOLEAN_ONLY"})
    # GX orders results its own way: each one names its expectation
    failed = [{key: r.expectation_config.to_json_dict()[key] for key in ("type", "kwargs", "meta")}
              for r in results if not r.success]
    if not failed:
        return []
    # the column each flag is about is named beside the row, so a message can quote its value
    quoted = list(dict.fromkeys(contract_column(c) for c in _flags(table, Period.parse(data.period), data.readable)))
    detailed = _run(context, batch, f"{name}.failed", failed,
                    {"result_format": "COMPLETE", "partial_unexpected_count": MAX_ROWS_PER_CHECK,
                     "unexpected_index_column_names": ["source_row", *quoted]})
    personal = set(table.personal_columns)
    return [problem for checked in detailed if not checked.success
            for problem in _problems_of(checked, data.files[name], data.headers[name], personal)]


def run_suites(data: ExportData) -> list[Problem]:
    """Validate every table that could be read (its checked_<table> must exist); return the
    problems GX found. No other connection may hold the staged file meanwhile."""
    context = _context()
    # one pooled connection for every query (opening the file per query costs more than the
    # checks of a district), disposed before returning so the file is free for the next step
    source = context.data_sources.add_or_update_sql(
        "staged", connection_string=connection_string(data.staged),
        kwargs={"poolclass": StaticPool, "connect_args": {"config": {"memory_limit": memory_limit()}}})
    try:
        return [problem for name in data.readable for problem in _check_table(context, source, name, data)]
    finally:
        source.get_execution_engine().engine.dispose()
        source.get_engine().dispose()
