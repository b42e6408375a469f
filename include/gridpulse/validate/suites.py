"""Great Expectations suites for the export, derived from the export contract.

The contract is the one source of truth; `python -m gridpulse suites` writes the suites as GX
JSON into expectations/, where they are reviewed in git, and a test fails when they drift.
Checks that compare a value with something outside its cell (the month's first and last instant,
the codes that exist in another file, the other rows' keys, another column, a range) are made in
SQL over the staged table into a derived flag column (True, False, or empty where nothing is to
check), and GX checks the flags chunk by chunk and reports the rows. A key must be unique across
the whole file, which GX could not see from one chunk; and GX's pandas
`expect_column_values_to_be_between` calls a Python function per value: at province scale (2.2 M
report times) that alone took minutes.
"""
from __future__ import annotations

import json
from pathlib import Path

from gridpulse.contract import Column, Table, tables

DURATION_MARK = "__hours_after__"
REFERENCE_MARK = "__known_in__"
RANGE_MARK = "__in_range"
MONTH_MARK = "__in_month"
UNIQUE_MARK = "__unique_in_file"
LEVEL_MARK = "__level_of__"
EXPORT_MARK = "__before_export"
CARRIED_MARK = "__before_month"
DERIVED_MARKS = (DURATION_MARK, REFERENCE_MARK, RANGE_MARK, MONTH_MARK, UNIQUE_MARK, LEVEL_MARK, EXPORT_MARK, CARRIED_MARK)


def _flag(name: str, mark: str, against: str = "") -> str:
    """A derived flag's column: the column it speaks of, the check's mark, what it checks against."""
    return f"{name}{mark}{against.replace('.', '__')}"


def unique_column(table: Table) -> str:
    """Is the row's key (one column or several) unique in its file? Reported on the key's first column."""
    return _flag(table.key[0], UNIQUE_MARK)


def duration_column(column: Column) -> str:
    """Is the value within max_hours_after of the column it follows?"""
    return _flag(column.name, DURATION_MARK, column.max_hours_after["column"])


def range_column(column: Column) -> str:
    """Is the value within the contract's [min, max]?"""
    return _flag(column.name, RANGE_MARK)


def month_column(column: Column) -> str:
    """Does the value fall inside the assessed month (empty for exempt rows)?"""
    return _flag(column.name, MONTH_MARK)


def reference_column(column: Column) -> str:
    """Does the value exist in the table it references (True, False, or empty where the value is
    empty)? A province's codes run to millions (every event id): GX serialises a value set into the
    id of every metric it computes, which alone took minutes, so the lookup is a SQL join and GX
    checks the flag."""
    return _flag(column.name, REFERENCE_MARK, column.references)


def level_column(column: Column) -> str:
    """Is the referenced unit of one of the contract's levels (empty where the reference does not
    resolve: that is a problem of its own)?"""
    return _flag(column.name, LEVEL_MARK, column.references)


def export_column(column: Column) -> str:
    """Is the time no later than the export was made?"""
    return _flag(column.name, EXPORT_MARK)


def carried_column(column: Column) -> str:
    """Is a row exempt from the month window (a carried-over event) from before the month, as its
    exemption says?"""
    return _flag(column.name, CARRIED_MARK)


def contract_column(checked: str | None) -> str | None:
    """The contract column a check is about (a derived column reports as the column it derives from)."""
    if not checked:
        return checked
    for mark in DERIVED_MARKS:
        checked = checked.split(mark)[0]
    return checked


def _expectation(kind: str, problem_zh: str, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"problem_zh": problem_zh}}


def _holds(problem_zh: str, flag_column: str) -> dict:
    """A check made through a derived flag column: every flag that is there must be True."""
    return _expectation("expect_column_values_to_be_in_set", problem_zh, column=flag_column, value_set=[True])


def _column_expectations(table: Table, column: Column) -> list[dict]:
    found = []
    name = column.name
    if column.required:
        found.append(_expectation("expect_column_values_to_not_be_null", "必填项为空", column=name))
    if column.values:
        found.append(_expectation("expect_column_values_to_be_in_set", "「{value}」不是允许的取值（允许：" + "、".join(column.values) + "）", column=name, value_set=list(column.values)))
    if column.references:
        ref_table = column.references.split(".")[0]
        label = tables()[ref_table].label_zh
        found.append(_holds(f"「{{value}}」在{label}中不存在", reference_column(column)))
    if column.references_level:
        ref_table, ref_column = column.references.split(".")
        levels = _level_words(tables()[ref_table], column.references_level)
        found.append(_holds(f"「{{value}}」在{tables()[ref_table].label_zh}中的层级不是{levels}（应指向{levels}一级的单位）",
                            level_column(column)))
    if column.min is not None or column.max is not None:
        found.append(_holds(f"「{{value}}」超出允许范围 [{column.min}, {column.max}]", range_column(column)))
    if name == table.period_column:
        found.append(_holds("「{value}」不在本考核月内", month_column(column)))
        if table.period_exempt_if:
            exempt = table.columns[table.period_exempt_if]
            found.append(_holds(f"「{{value}}」不早于本考核月，但{exempt.display}为是：结转的记录应来自之前的月份", carried_column(column)))
    if column.not_after_export:
        found.append(_holds("「{value}」晚于本次导出生成的时间（清单 exported_at）：时间不可能在导出之后，请核对平台时钟后重新导出",
                            export_column(column)))
    if column.not_before:
        other = table.columns[column.not_before]
        found.append(_expectation("expect_column_pair_values_a_to_be_greater_than_b", f"「{{value}}」早于{other.display}", column_A=name, column_B=other.name, or_equal=True, ignore_row_if="either_value_is_missing"))
    if column.max_hours_after:
        hours = column.max_hours_after["hours"]
        other = table.columns[column.max_hours_after["column"]]
        found.append(_holds(f"距{other.display}超过 {hours} 小时", duration_column(column)))
    return found


def _level_words(org_table: Table, levels: tuple[str, ...]) -> str:
    labels = org_table.columns["org_level"].value_labels_zh or {}
    return "或".join(f"{labels.get(level, level)}（{level}）" for level in levels)


def suite_for(table: Table) -> dict:
    """The suite of one table, as GX's JSON form of an ExpectationSuite."""
    expectations = [_expectation("expect_table_columns_to_match_set", "列与导出规范不一致", column_set=list(table.columns), exact_match=False)]
    duplicate = "编号重复" if len(table.key) == 1 else "重复记录（" + "+".join(table.columns[k].display for k in table.key) + "）"
    expectations.append(_holds(duplicate, unique_column(table)))
    for column in table.columns.values():
        expectations.extend(_column_expectations(table, column))
    return {"name": f"export.{table.name}", "expectations": expectations, "meta": {"generated_from": "include/config/export_contract.yml"}}


def all_suites() -> dict[str, dict]:
    return {name: suite_for(table) for name, table in tables().items()}


def write_suites(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in all_suites().items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def read_suite(folder: Path, table: str) -> dict:
    return json.loads((folder / f"{table}.json").read_text(encoding="utf-8"))
