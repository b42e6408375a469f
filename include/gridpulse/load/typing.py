"""Turn text cells into the contract's types; a cell that cannot be read becomes a Problem.

Platform words are mapped to canonical codes here (是/否 to booleans, 网格员 to grid_worker, ...).
A value the mapping does not know is kept as printed, so validation can name it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from gridpulse.contract import Column, Table
from gridpulse.problems import Problem, shown

TYPE_WORDS_ZH = {
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "date": "日期（如 2022-11-01）",
    "timestamp": "日期时间（如 2022-11-01 08:30:00）",
}


# Excel counts days from 1899-12-30; a date column of plain numbers in this range is one that a
# spreadsheet turned into serial numbers (1982 to 2119).
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_SERIALS = (30000, 80000)


def _excel_serial_hint(cell: str, column: Column) -> str:
    """For a date cell that is a number: the date Excel meant, so staff see what happened."""
    if column.type not in ("date", "timestamp"):
        return ""
    try:
        serial = float(cell)
    except ValueError:
        return ""
    if not EXCEL_SERIALS[0] <= serial <= EXCEL_SERIALS[1]:
        return ""
    meant = EXCEL_EPOCH + timedelta(days=serial)
    shown_as = meant.strftime("%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S")
    return f"；像是 Excel 日期序列号（即 {shown_as}），请把该列设为日期格式后重新导出"


def _booleans(mapping: dict) -> dict[str, bool]:
    words = mapping.get("booleans") or {"true": ["是"], "false": ["否"]}
    # YAML reads the keys true/false as booleans
    table = {str(w): True for w in words.get(True, words.get("true", []))}
    table.update({str(w): False for w in words.get(False, words.get("false", []))})
    return table


def _parse(text: pd.Series, column: Column, booleans: dict[str, bool]) -> pd.Series:
    if column.type == "string":
        return text
    if column.type in ("integer", "number"):
        numbers = pd.to_numeric(text, errors="coerce")
        if column.type == "integer":
            whole = numbers.where(numbers.isna() | (numbers == numbers.round()))
            return whole.astype("Int64")
        return numbers.astype("Float64")
    if column.type == "boolean":
        return text.map(booleans).astype("boolean")
    normalised = text.str.replace("/", "-", regex=False)
    parsed = pd.to_datetime(normalised, format="ISO8601", errors="coerce")
    if column.type == "date":
        # a date must not carry a time of day other than midnight
        parsed = parsed.where(parsed.isna() | (parsed == parsed.dt.normalize()))
    return parsed


def type_frame(frame: pd.DataFrame, table: Table, file_name: str, headers: dict[str, str], mapping: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """Return the frame with typed columns and the cells that could not be read."""
    booleans = _booleans(mapping)
    value_words: dict[str, dict[str, str]] = mapping.get("values") or {}
    typed = pd.DataFrame({"source_row": frame["source_row"]})
    problems: list[Problem] = []
    for name, column in table.columns.items():
        text = frame[name].replace("", None)
        if name in value_words:
            text = text.map(lambda v, words=value_words[name]: words.get(v, v) if v is not None else None)
        values = _parse(text, column, booleans)
        unreadable = text.notna() & values.isna()
        for row, cell in zip(frame.loc[unreadable, "source_row"], text[unreadable]):
            value = shown(str(cell), column.personal)
            problems.append(Problem(
                file_name, f"「{value}」不是{TYPE_WORDS_ZH[column.type]}{_excel_serial_hint(str(cell), column)}", row=int(row), column=name,
                header=headers.get(name), value=value, check=f"type:{column.type}",
            ))
        typed[name] = values
    return typed, problems
