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
from gridpulse.validate.suites import contract_column, duration_column, month_column, range_column, read_suite, reference_column

# Rows listed per failed expectation in a report; the count of all of them is always given.
MAX_ROWS_PER_CHECK = 50


def _context():
    # GX logs every public function it registers at import time; only its warnings matter here
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _month(period: Period) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's."""
    return (datetime.combine(period.first_day, datetime.min.time()),
            datetime.combine(period.next_first_day, datetime.min.time()))


def _known(data: ExportData, reference: str) -> pd.Series | None:
    """The values that exist in the referenced column; None if its file could not be read."""
    ref_table, ref_column = reference.split(".")
    frame = data.frames.get(ref_table)
    return None if frame is None else frame[ref_column].dropna().astype(str)


def _flag(holds: pd.Series, checked: pd.Series) -> pd.Series:
    """True or False where there is a value to check, empty where there is none (GX skips it)."""
    return holds.astype("boolean").where(checked.notna(), pd.NA)


def _with_derived(frame: pd.DataFrame, table_name: str, data: ExportData) -> pd.DataFrame:
    """The frame with the flag columns the suite checks besides the contract's (suites.py)."""
    table = tables()[table_name]
    start, end = _month(Period.parse(data.period))
    derived = {}
    for column in table.columns.values():
        values = frame[column.name]
        if column.max_hours_after:
            hours = (values - frame[column.max_hours_after["column"]]).dt.total_seconds() / 3600
            derived[duration_column(column)] = _flag((hours >= 0) & (hours <= column.max_hours_after["hours"]), hours)
        if column.references:
            known = _known(data, column.references)
            if known is None:  # the unreadable file has its own problem; checked against nothing,
                # every row that refers to it would be reported as unknown
                derived[reference_column(column)] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
            else:
                derived[reference_column(column)] = _flag(values.astype(str).isin(known), values)
        if column.min is not None or column.max is not None:
            low = values >= column.min if column.min is not None else values.notna()
            high = values <= column.max if column.max is not None else values.notna()
            derived[range_column(column)] = _flag(low & high, values)
        if column.name == table.period_column:
            # carried-over events were reported in an earlier month: their dates are not checked
            checked = values.where(~frame[table.period_exempt_if].fillna(False).astype(bool)) if table.period_exempt_if else values
            derived[month_column(column)] = _flag((values >= start) & (values < end), checked)
    return frame.assign(**derived)


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
    problems: list[Problem] = []
    for name, frame in data.frames.items():
        suite_json = read_suite(config.EXPECTATIONS_DIR, name)
        suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_json["name"], expectations=suite_json["expectations"]))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("month")
        definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        checked = _with_derived(frame, name, data)
        # the column each flag is about is named beside the row, so a message can quote its value
        flagged = list(dict.fromkeys(contract_column(c) for c in checked.columns.difference(frame.columns)))
        outcome = definition.run(
            batch_parameters={"dataframe": checked},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row", *flagged]},
        )
        for result in outcome.results:
            if not result.success:
                personal = set(tables()[name].personal_columns)
                problems += _problems(result, data.files[name], data.headers[name], result.expectation_config.meta or {}, personal)
    return problems
