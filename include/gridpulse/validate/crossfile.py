"""Checks across files that GX's per-table suites do not make: ids of one file that collide with
the ids of another (the contract's `distinct_from`)."""
from __future__ import annotations

from gridpulse.contract import tables
from gridpulse.problems import Problem, shown
from gridpulse.validate.export import ExportData


def collision_problems(data: ExportData) -> list[Problem]:
    problems = []
    for name, table in tables().items():
        frame = data.frames.get(name)
        for column in table.columns.values():
            if frame is None or not column.distinct_from:
                continue
            other_table, other_column = column.distinct_from.split(".")
            other = data.frames.get(other_table)
            if other is None:
                continue
            taken = set(other[other_column].dropna().astype(str))
            clashes = frame[frame[column.name].astype(str).isin(taken)]
            other_label = tables()[other_table].columns[other_column].display
            for row, value in zip(clashes["source_row"], clashes[column.name]):
                text = shown(str(value), column.personal)
                problems.append(Problem(
                    data.files[name], f"「{text}」与{data.files[other_table]}中的{other_label}重复（同一编号不能指两个对象）",
                    row=int(row), column=column.name, header=data.headers[name].get(column.name), value=text, check="distinct_from"))
    return problems
