"""Landing text made into the contract's types, in SQL: trimmed, platform words mapped, cast.

`typed_table_sql` writes one typed table per landing table: `source_row`, every contract column
in its type, and beside each non-text column `<column>__unreadable`, the text of a cell that
could not be read as that type (empty otherwise; DuckDB stores an all-empty column in a few
bytes). Platform words become canonical codes here (是/否 to booleans, 网格员 to grid_worker,
...); a word the mapping does not know is kept as printed, so validation can name it.

What counts as a number, a date or a timestamp is the contract's `text_formats`: explicit
patterns, never a parser's guess.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb

from gridpulse import config
from gridpulse.contract import Column, Table
from gridpulse.ingest.landing import FIRST_DATA_ROW, LandedFile, landing_column
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, shown, unlisted

UNREADABLE = "__unreadable"

TYPE_WORDS_ZH = {
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "date": "日期（如 2022-11-01）",
    "timestamp": "日期时间（如 2022-11-01 08:30:00）",
}

# Trimmed from both ends of a cell: every character Python's str.strip() removes (the
# full-width space U+3000 and the no-break space among them).
BLANKS = "".join(chr(code) for code in range(0x10000) if chr(code).isspace())

# Excel counts days from 1899-12-30; a date column of plain numbers in this range is one that a
# spreadsheet turned into serial numbers (1982 to 2119).
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_SERIALS = (30000, 80000)


def unreadable_column(column: str) -> str:
    return f"{column}{UNREADABLE}"


def respelled_column(column: str) -> str:
    """Whether a date or time was read through another spelling than the platform's own."""
    return f"{column}__respelled"


def respelling_notices(con: duckdb.DuckDBPyConnection, name: str, table: Table, file_name: str,
                       headers: dict[str, str]) -> list[Problem]:
    """Dates and times written another way than the platform writes them (2022/11/03,
    2022年11月3日) whose meaning is certain: read as dates, and said once per column."""
    notices = []
    for column in (c for c in table.columns.values() if c.type in ("date", "timestamp")):
        count, row = con.execute(f'SELECT count(*), min(source_row) FROM "{name}" WHERE "{respelled_column(column.name)}"').fetchone()
        if count:
            notices.append(Problem(file_name, f"{count} 个单元格用了另一种日期写法（如 2022/11/03、2022年11月3日），意思明确，已按"
                                              f"{TYPE_WORDS_ZH[column.type]}读取", row=int(row), column=column.name,
                                   header=headers.get(column.name), check="date_respelled"))
    return notices


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _formats() -> dict:
    return config.contract()["text_formats"]


def _words(words: dict[str, str], cell: str) -> str:
    """The cell with the platform's words replaced by their codes; other values kept as printed."""
    if not words:
        return cell
    cases = " ".join(f"WHEN {_literal(word)} THEN {_literal(code)}" for word, code in words.items())
    return f"CASE {cell} {cases} ELSE {cell} END"


def _booleans(mapping: dict, column: str | None = None) -> dict[str, bool]:
    """The words read as true and false: the platform's for every boolean column, and those its
    `values` give this column alone (平安通 prints 在线/离线 for whether a worker was online)."""
    words = mapping.get("booleans") or {"true": ["是"], "false": ["否"]}
    # YAML reads the keys true/false as booleans
    table = {str(w): True for w in words.get(True, words.get("true", []))}
    table.update({str(w): False for w in words.get(False, words.get("false", []))})
    table.update({str(w): _truth(code) for w, code in ((mapping.get("values") or {}).get(column) or {}).items()})
    return table


def _truth(code) -> bool:
    """A boolean column's word maps to true or false (YAML reads them as booleans)."""
    if isinstance(code, bool):
        return code
    if str(code).lower() in ("true", "false"):
        return str(code).lower() == "true"
    raise ValueError(f"platform mapping: a boolean column's word must map to true or false, not {code!r}")


def _parsed(text: str, column: Column, mapping: dict) -> str:
    """SQL for a trimmed cell `text` read as a value (NULL where it cannot be): a timestamp for
    dates and times, a double for numbers."""
    formats = _formats()
    if column.type == "string":
        return text
    if column.type == "boolean":
        cases = " ".join(f"WHEN {_literal(word)} THEN {value}" for word, value in _booleans(mapping, column.name).items())
        return f"CASE {text} {cases} END"
    if column.type in ("integer", "number"):
        # the pattern first: DuckDB's own cast would also take 0x10, 1_000 and inf
        return f"CASE WHEN regexp_full_match({text}, {_literal(formats['number'])}) THEN CAST({text} AS DOUBLE) END"
    return f"try_strptime(replace({text}, '/', '-'), [{', '.join(_literal(f) for f in formats[column.type])}])"


def _placeholders() -> list[str]:
    return [str(day) for day in _formats().get("placeholder_dates") or []]


def _typed(parsed: str, column: Column) -> str:
    """SQL for the contract's type of a parsed value; a date or time on a placeholder day (the
    contract's `placeholder_dates`) is no value, so it is unreadable and named."""
    if column.type == "integer":
        return f"CASE WHEN {parsed} = round({parsed}) THEN CAST({parsed} AS BIGINT) END"
    placeholders = ", ".join(f"DATE {_literal(day)}" for day in _placeholders())
    real = f"CAST({parsed} AS DATE) NOT IN ({placeholders})" if placeholders else "TRUE"
    if column.type == "date":  # a date must not carry a time of day other than midnight
        return f"CASE WHEN {parsed} = date_trunc('day', {parsed}) AND {real} THEN CAST({parsed} AS DATE) END"
    if column.type == "timestamp":
        return f"CASE WHEN {real} THEN {parsed} END"
    return parsed


def _trimmed(cell: str) -> str:
    """The cell without blanks at either end, NULL if nothing is left. Trimming with the whole
    set costs ten times a plain trim, so it runs only on cells that start or end with a blank."""
    blanks = _literal(BLANKS)
    ends_blank = f"contains({blanks}, left({cell}, 1)) OR contains({blanks}, right({cell}, 1))"
    return f"nullif(CASE WHEN {ends_blank} THEN trim({cell}, {blanks}) ELSE {cell} END, '')"


def typed_table_sql(name: str, landed: LandedFile, table: Table, mapping: dict) -> str:
    """CREATE TABLE <name> of typed rows from the landing table: cells trimmed and words mapped,
    then parsed, then typed; each step reads the one before, so no cell is parsed twice."""
    values = mapping.get("values") or {}
    columns = list(table.columns.values())
    # a boolean column's own words are read as true/false when parsed (_booleans), not replaced here
    cells = [f'{_words(values.get(c.name, {}) if c.type != "boolean" else {}, _trimmed(_q(landing_column(landed.header_map.positions[c.name]))))} '
             f'AS {_q(c.name)}' for c in columns]
    parsed = [f'{_q(c.name)} AS {_q(c.name + "__text")}, {_parsed(_q(c.name), c, mapping)} AS {_q(c.name)}' for c in columns]
    typed = []
    for column in columns:
        value = _typed(_q(column.name), column)
        typed.append(f"{value} AS {_q(column.name)}")
        if column.type != "string":
            typed.append(f'CASE WHEN {_q(column.name + "__text")} IS NOT NULL AND {value} IS NULL '
                         f'THEN {_q(column.name + "__text")} END AS {_q(unreadable_column(column.name))}')
        if column.type in ("date", "timestamp"):
            canonical = _literal(_formats()["canonical"][column.type])
            typed.append(f'{value} IS NOT NULL AND NOT regexp_full_match({_q(column.name + "__text")}, {canonical}) '
                         f'AS {_q(respelled_column(column.name))}')
    return (f'CREATE OR REPLACE TABLE {_q(name)} AS WITH '
            f'cells AS (SELECT rowid + {FIRST_DATA_ROW} AS source_row, {", ".join(cells)} FROM {_q(landed.landing)}), '
            f'parsed AS (SELECT source_row, {", ".join(parsed)} FROM cells) '
            f'SELECT source_row, {", ".join(typed)} FROM parsed')


def _q(name: str) -> str:
    return f'"{name}"'


# A time with an offset: every platform time is Beijing time, and an offset is refused rather
# than shifted (pandas once loaded 09:15+08:00 as 01:15).
OFFSET = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})$")
# A number a spreadsheet printed with thousands separators (1,234.5).
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _offset_hint(cell: str, column: Column) -> str:
    if column.type != "timestamp" or not OFFSET.search(cell):
        return ""
    return "；带时区（如 +08:00）：平台时间一律是北京时间，不带时区，请去掉时区后重新导出（不会自动换算）"


def _hint(cell: str, column: Column) -> str:
    return _excel_serial_hint(cell, column) or _offset_hint(cell, column)


DAY = re.compile(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})")


def placeholder_day(cell: str, column: Column) -> str | None:
    """The placeholder day (1970-01-01) a date or time cell is on, if it is on one."""
    found = DAY.match(cell) if column.type in ("date", "timestamp") else None
    if not found:
        return None
    day = "-".join((found.group(1), found.group(2).zfill(2), found.group(3).zfill(2)))
    return day if day in _placeholders() else None


def _cell_text(value: str, cell: str, column: Column) -> str:
    day = placeholder_day(cell, column)
    if day:
        return (f"「{value}」是占位时间（{day}：平台没有填写时间时写入的默认值），不是真实的{TYPE_WORDS_ZH[column.type].split('（')[0]}："
                "请在平台补录该记录的时间后重新导出")
    return f"「{value}」不是{TYPE_WORDS_ZH[column.type]}{_hint(cell, column)}"


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


# Text a spreadsheet would run as a formula (=, +, -, @ first) or a browser read as markup.
ACTIVE_TEXT = r"^[=+\-@\t\r]|<[A-Za-z/!?]"


# A long code a spreadsheet turned into a number and printed in scientific notation.
SCIENTIFIC = r"[0-9]+([.][0-9]+)?[eE][+][0-9]+"


def code_columns(table: Table) -> list[Column]:
    """Text columns that hold codes: keys, references and ids that must not collide."""
    return [c for c in table.columns.values()
            if c.type == "string" and (c.name in table.key or c.references or c.distinct_from)]


def scientific_code_problems(con: duckdb.DuckDBPyConnection, name: str, table: Table, file_name: str,
                             headers: dict[str, str]) -> list[Problem]:
    """Codes a spreadsheet turned into numbers (3.60502E+14): the digits are lost, so the export
    must be made again. One cause, said once per column with a count."""
    problems = []
    for column in code_columns(table):
        count, row, example = con.execute(
            f'SELECT count(*), min(source_row), arg_min("{column.name}", source_row) FROM "{name}" '
            f'WHERE regexp_full_match("{column.name}", {_literal(SCIENTIFIC)})').fetchone()
        if count:
            problems.append(Problem(file_name, f"{count} 个编码被表格软件改成了科学计数法（如「{example}」），后几位数字已丢失："
                                               "请把该列设为文本格式，从平台重新导出（长编码不能当数字存）", row=int(row),
                                    column=column.name, header=headers.get(column.name), value=example, check="type:code"))
    return problems




def path_like_code_problems(con: duckdb.DuckDBPyConnection, name: str, table: Table, file_name: str,
                            headers: dict[str, str]) -> list[Problem]:
    """Codes holding a path separator, or that are `.` or `..`: the platform's codes are letters
    and digits, and a code names a file downstream. The first rows of each column, then a count."""
    problems = []
    for column in code_columns(table):
        code = f'"{column.name}"'
        path_like = f"contains({code}, '/') OR contains({code}, '\\') OR {code} IN ('.', '..')"  # cheaper than a regex
        rows = con.execute(f'SELECT source_row, {code} FROM "{name}" WHERE {path_like} '
                           f'ORDER BY source_row LIMIT {MAX_ROWS_PER_CHECK + 1}').fetchall()
        for row, value in rows[:MAX_ROWS_PER_CHECK]:
            shown_value = shown(value, column.personal)
            problems.append(Problem(file_name, f"编码「{shown_value}」含有路径分隔符（/ 或 \\）或是 . / ..：编码只能由字母和数字组成；"
                                               "请在平台核对后重新导出", row=int(row), column=column.name,
                                    header=headers.get(column.name), value=shown_value, check="code_path"))
    return problems


def active_text_notices(con: duckdb.DuckDBPyConnection, name: str, table: Table, file_name: str,
                        headers: dict[str, str]) -> list[Problem]:
    """Printed text that looks like a formula or markup: accepted as text (every output writes it
    as text), and said once per column with a count and the first row, so staff can check it."""
    notices = []
    for column in (c for c in table.columns.values() if c.printed):
        count, row = con.execute(f'SELECT count(*), min(source_row) FROM "{name}" WHERE regexp_matches("{column.name}", '
                                 f'{_literal(ACTIVE_TEXT)})').fetchone()
        if count:
            notices.append(Problem(file_name, f"{count} 个单元格以 = + - @ 开头或含 <…> 标记（像公式或网页代码）：已按文本载入，"
                                              "所有输出都按原文显示，不会执行；请核对是否录入有误", row=int(row), column=column.name,
                                   header=headers.get(column.name), check="active_text"))
    return notices


def unreadable_problems(con: duckdb.DuckDBPyConnection, name: str, table: Table, file_name: str,
                        headers: dict[str, str]) -> list[Problem]:
    """The cells that could not be read as their type: the first rows of each column, and a
    count of the rest."""
    typed = [c for c in table.columns.values() if c.type != "string"]
    if not typed:
        return []
    counts = con.execute("SELECT " + ", ".join(f'count("{unreadable_column(c.name)}")' for c in typed)
                         + f' FROM "{name}"').fetchone()
    problems = []
    for column, count in zip(typed, counts):
        if count:
            problems += _thousands_problems(con, name, column, file_name, headers) + _cell_problems(con, name, column, count, file_name, headers)
    return problems


def _thousands_problems(con, name: str, column: Column, file_name: str, headers: dict[str, str]) -> list[Problem]:
    """Numbers a spreadsheet printed with thousands separators: one cause, said once with a count."""
    if column.type not in ("integer", "number"):
        return []
    found = con.execute(f'SELECT count(*), min(source_row), arg_min("{unreadable_column(column.name)}", source_row) FROM "{name}" '
                        f'WHERE regexp_full_match("{unreadable_column(column.name)}", {_literal(THOUSANDS.pattern)})').fetchone()
    if not found[0]:
        return []
    example = shown(found[2], column.personal)
    return [Problem(file_name, f"{found[0]} 个单元格带千位分隔符（如「{example}」）：表格软件把数字显示成了带逗号的文本；"
                               "请把该列设为常规数字格式（不用千位分隔符）后重新导出", row=int(found[1]), column=column.name,
                    header=headers.get(column.name), value=example, check="type:thousands")]


def _cell_problems(con, name: str, column: Column, count: int, file_name: str, headers: dict[str, str]) -> list[Problem]:
    """The first unreadable cells of a column by row, and a count of the rest (cells already
    named once for their thousands separators are not listed again)."""
    unreadable = f'"{unreadable_column(column.name)}"'
    grouped = f"regexp_full_match({unreadable}, {_literal(THOUSANDS.pattern)})" if column.type in ("integer", "number") else "FALSE"
    rows = con.execute(f'SELECT source_row, {unreadable} FROM "{name}" WHERE {unreadable} IS NOT NULL AND NOT {grouped} '
                       f'ORDER BY source_row LIMIT {MAX_ROWS_PER_CHECK}').fetchall()
    listed_or_grouped = con.execute(f'SELECT count(*) FILTER (WHERE {grouped}) FROM "{name}"').fetchone()[0] + len(rows)
    problems = []
    for row, cell in rows:
        value = shown(cell, column.personal)
        problems.append(Problem(file_name, _cell_text(value, cell, column), row=int(row),
                                column=column.name, header=headers.get(column.name), value=value, check=f"type:{column.type}"))
    return problems + unlisted(file_name, count - listed_or_grouped, column.name, headers.get(column.name), f"type:{column.type}")
