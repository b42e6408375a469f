"""Checks across files that GX's per-table suites do not make: ids of one file that collide with
the ids of another (the contract's `distinct_from`), found by SQL over the staged tables."""
from __future__ import annotations

import duckdb

from gridpulse.contract import tables
from gridpulse.problems import Problem, shown
from gridpulse.validate.export import ExportData

CLASHES = ('SELECT source_row, CAST("{column}" AS VARCHAR) FROM "{table}" '
           'WHERE CAST("{column}" AS VARCHAR) IN (SELECT CAST("{other_column}" AS VARCHAR) FROM "{other_table}") '
           'ORDER BY source_row')


def collision_problems(data: ExportData) -> list[Problem]:
    problems = []
    con = duckdb.connect(str(data.staged), read_only=True)
    try:
        for name in data.readable:
            for column in tables()[name].columns.values():
                if column.distinct_from and column.distinct_from.split(".")[0] in data.readable:
                    problems += _clashes(con, data, name, column)
    finally:
        con.close()
    return problems


def _clashes(con, data: ExportData, name: str, column) -> list[Problem]:
    other_table, other_column = column.distinct_from.split(".")
    other_label = tables()[other_table].columns[other_column].display
    found = con.execute(CLASHES.format(column=column.name, table=name, other_column=other_column, other_table=other_table)).fetchall()
    problems = []
    for row, value in found:
        text = shown(str(value), column.personal)
        problems.append(Problem(
            data.files[name], f"「{text}」与{data.files[other_table]}中的{other_label}重复（同一编号不能指两个对象）",
            row=int(row), column=column.name, header=data.headers[name].get(column.name), value=text, check="distinct_from"))
    return problems
