"""Run the contract's Great Expectations suites over an export's typed frames."""
from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.period import Period
from gridpulse.problems import Problem, shown
from gridpulse.validate.export import ExportData
from gridpulse.validate.suites import contract_column, duration_column, read_suite, reference_column

# Rows listed per failed expectation in a report; the count of all of them is always given.
MAX_ROWS_PER_CHECK = 50


def _context():
    # GX logs every public function it registers at import time; only its warnings matter here
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _parameters(period: Period) -> dict:
    return {"period_start": datetime.combine(period.first_day, datetime.min.time()),
            "period_end": datetime.combine(period.next_first_day, datetime.min.time())}


def _known(data: ExportData, reference: str) -> pd.Series:
    ref_table, ref_column = reference.split(".")
    frame = data.frames.get(ref_table)
    return pd.Series([], dtype=object) if frame is None else frame[ref_column].dropna().astype(str)


def _with_derived(frame: pd.DataFrame, table_name: str, data: ExportData) -> pd.DataFrame:
    """The frame with the columns the suite checks besides the contract's: durations, and
    whether each referencing value exists in the table it references."""
    frame = frame.copy()
    for column in tables()[table_name].columns.values():
        if column.max_hours_after:
            start = frame[column.max_hours_after["column"]]
            frame[duration_column(column)] = (frame[column.name] - start).dt.total_seconds() / 3600
        if column.references:
            values = frame[column.name]
            found = values.astype(str).isin(_known(data, column.references))
            frame[reference_column(column)] = found.astype("boolean").where(values.notna(), pd.NA)
    return frame


def _problems(result, file_name: str, headers: dict[str, str], meta: dict, personal: set[str]) -> list[Problem]:
    config_ = result.expectation_config
    kwargs = config_.kwargs
    column = contract_column(kwargs.get("column") or kwargs.get("column_A"))
    template = meta.get("problem_zh", config_.type)
    if result.exception_info and result.exception_info.get("raised_exception"):
        return [Problem(file_name, f"校验无法执行：{result.exception_info.get('exception_message')}", column=column, header=headers.get(column), check=config_.type)]
    rows = result.result.get("unexpected_index_list") or []
    if not rows:
        missing = result.result.get("details", {}).get("mismatched") or {}
        return [Problem(file_name, f"{template} {missing}".strip(), column=column, header=headers.get(column), check=config_.type)]
    found = []
    for entry in rows[:MAX_ROWS_PER_CHECK]:
        value = entry.get(column) if column else None
        value_text = shown("" if value is None or value is pd.NA else str(value), column in personal)
        found.append(Problem(file_name, template.replace("{value}", value_text), row=int(entry["source_row"]), column=column,
                             header=headers.get(column), value=value_text, check=config_.type))
    if len(rows) > MAX_ROWS_PER_CHECK:
        found.append(Problem(file_name, f"同类问题另有 {len(rows) - MAX_ROWS_PER_CHECK} 行未列出", column=column, header=headers.get(column), check=config_.type))
    return found


def run_suites(data: ExportData) -> list[Problem]:
    """Validate every table that could be read; return the problems GX found."""
    context = _context()
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas("export")
    params = _parameters(Period.parse(data.period))
    problems: list[Problem] = []
    for name, frame in data.frames.items():
        suite_json = read_suite(config.EXPECTATIONS_DIR, name)
        suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_json["name"], expectations=suite_json["expectations"]))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("month")
        definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        # a referencing column is named beside the row, so a message can quote the unknown value
        referencing = [c.name for c in tables()[name].columns.values() if c.references]
        outcome = definition.run(
            batch_parameters={"dataframe": _with_derived(frame, name, data)},
            expectation_parameters=params,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row", *referencing]},
        )
        for result in outcome.results:
            if not result.success:
                personal = set(tables()[name].personal_columns)
                problems += _problems(result, data.files[name], data.headers[name], result.expectation_config.meta or {}, personal)
    return problems
