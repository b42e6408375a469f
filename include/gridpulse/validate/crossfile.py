"""Checks across files that GX's per-table suites do not make: ids of one file that collide with
the ids of another (the contract's `distinct_from`), found by SQL over the staged tables."""
from __future__ import annotations

from gridpulse.contract import tables
from gridpulse.problems import Problem, shown
from gridpulse.validate.export import ExportData
from gridpulse.validate.gx_runner import in_column


def collision_problems(con, data: ExportData) -> list[Problem]:
    problems = []
    for name in data.readable:
        for column in tables()[name].columns.values():
            if column.distinct_from and column.distinct_from.split(".")[0] in data.readable:
                problems += _clashes(con, data, name, column)
    return problems


def _clashes(con, data: ExportData, name: str, column) -> list[Problem]:
    other_table, other_column = column.distinct_from.split(".")
    other_label = tables()[other_table].columns[other_column].display
    column_sql = f'"{column.name}"'
    found = con.execute(f'SELECT source_row, CAST({column_sql} AS VARCHAR) FROM "{name}" '
                        f'WHERE {in_column(column_sql, other_table, other_column)} ORDER BY source_row').fetchall()
    problems = []
    for row, value in found:
        text = shown(str(value), column.personal)
        problems.append(Problem(
            data.files[name], f"「{text}」与{data.files[other_table]}中的{other_label}重复（同一编号不能指两个对象）",
            row=int(row), column=column.name, header=data.headers[name].get(column.name), value=text, check="distinct_from"))
    return problems
