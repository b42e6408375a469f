"""Run the contract's Great Expectations suites over an export's staged tables, in chunks.

Each table is read back from the staged DuckDB file with its derived flag columns computed in
SQL over the whole table (keys unique in the file, references into other files, ranges, the
month, durations: suites.py), then handed to GX `validation.chunk_rows` rows at a time. GX sees
bounded pandas frames whatever the month's size, and still checks every row.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
import pandas as pd

from gridpulse import config
from gridpulse.contract import Column, Table, tables
from gridpulse.period import Period
from gridpulse.problems import Problem, shown
from gridpulse.validate.export import ExportData, chunk_rows
from gridpulse.validate.staged import in_column
from gridpulse.validate.suites import (contract_column, duration_column, month_column, range_column, read_suite,
                                       reference_column, unique_column)

# Rows listed per failed expectation in a report; the count of all of them is always given.
MAX_ROWS_PER_CHECK = 50
DUCKDB_VECTOR = 2048  # rows in one of DuckDB's vectors; fetch_df_chunk counts in vectors


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


def checked_query(table: Table, period: Period, readable: list[str]) -> tuple[str, list[str]]:
    """The staged table with every flag its suite checks, in file order; and the flag columns."""
    keys = [_q(k) for k in table.key]
    flags = {unique_column(table): _flag(f"count(*) OVER (PARTITION BY {', '.join(keys)}) = 1",
                                         " AND ".join(f"{k} IS NOT NULL" for k in keys))}
    for column in table.columns.values():
        flags.update(_column_flags(table, column, period, readable))
    derived = ", ".join(f'{sql} AS "{name}"' for name, sql in flags.items())
    return f'SELECT t.*, {derived} FROM "{table.name}" AS t ORDER BY t.source_row', list(flags)


@dataclass
class _Findings:
    """Problems of one table's expectations, gathered over its chunks."""
    listed: dict[int, list[Problem]] = field(default_factory=dict)
    unlisted: dict[int, int] = field(default_factory=dict)
    whole_table: dict[str, Problem] = field(default_factory=dict)  # problems without a row, once

    def problems(self, file_name: str, headers: dict[str, str]) -> list[Problem]:
        found = []
        for index, rows in self.listed.items():
            found += rows
            if self.unlisted.get(index):
                column = rows[0].column if rows else None
                found.append(Problem(file_name, f"同类问题另有 {self.unlisted[index]} 行未列出", column=column,
                                     header=headers.get(column), check=rows[0].check if rows else ""))
        return found + list(self.whole_table.values())


def _value_text(value, personal: bool) -> str:
    return shown("" if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value), personal)


def _collect(findings: _Findings, index: int, result, file_name: str, headers: dict[str, str], personal: set[str]) -> None:
    config_ = result.expectation_config
    kwargs = config_.kwargs
    column = contract_column(kwargs.get("column") or kwargs.get("column_A"))
    template = (config_.meta or {}).get("problem_zh", config_.type)
    if result.exception_info and result.exception_info.get("raised_exception"):
        text = f"校验无法执行：{result.exception_info.get('exception_message')}"
        findings.whole_table.setdefault(text, Problem(file_name, text, column=column, header=headers.get(column), check=config_.type))
        return
    rows = result.result.get("unexpected_index_list") or []
    if not rows:
        missing = result.result.get("details", {}).get("mismatched") or {}
        text = f"{template} {missing}".strip()
        findings.whole_table.setdefault(text, Problem(file_name, text, column=column, header=headers.get(column), check=config_.type))
        return
    listed = findings.listed.setdefault(index, [])
    room = max(MAX_ROWS_PER_CHECK - len(listed), 0)
    for entry in rows[:room]:
        value_text = _value_text(entry.get(column) if column else None, column in personal)
        listed.append(Problem(file_name, template.replace("{value}", value_text), row=int(entry["source_row"]), column=column,
                              header=headers.get(column), value=value_text, check=config_.type))
    findings.unlisted[index] = findings.unlisted.get(index, 0) + max(len(rows) - room, 0)


def _check_table(context, source, con, name: str, data: ExportData) -> list[Problem]:
    import great_expectations as gx

    table = tables()[name]
    suite_json = read_suite(config.EXPECTATIONS_DIR, name)
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_json["name"], expectations=suite_json["expectations"]))
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("chunk")
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    query, flags = checked_query(table, Period.parse(data.period), data.readable)
    # the column each flag is about is named beside the row, so a message can quote its value
    quoted = list(dict.fromkeys(contract_column(c) for c in flags))
    personal = set(table.personal_columns)
    findings = _Findings()
    result = con.execute(query)
    vectors = max(1, chunk_rows() // DUCKDB_VECTOR)
    while len(chunk := result.fetch_df_chunk(vectors)):
        outcome = definition.run(
            batch_parameters={"dataframe": chunk},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row", *quoted]},
        )
        for index, checked in enumerate(outcome.results):
            if not checked.success:
                _collect(findings, index, checked, data.files[name], data.headers[name], personal)
    return findings.problems(data.files[name], data.headers[name])


def run_suites(data: ExportData) -> list[Problem]:
    """Validate every table that could be read; return the problems GX found."""
    context = _context()
    source = context.data_sources.add_or_update_pandas("export")
    with data.connect() as con:
        return [problem for name in data.readable for problem in _check_table(context, source, con, name, data)]
