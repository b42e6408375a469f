"""Problems found in an export, worded for the staff who must fix it.

Every problem names the file as the platform wrote it, the row as a spreadsheet shows it (the
header is row 1) and the column by its Chinese header and canonical name.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

# Rows listed per check and column in a report; the count of all of them is always given.
MAX_ROWS_PER_CHECK = 50

# Shown instead of a cell of a personal-data column: reports and task logs never carry it.
HIDDEN_VALUE = "（个人信息，不显示）"


def shown(value: str, personal: bool) -> str:
    return HIDDEN_VALUE if personal else value


@dataclass(frozen=True)
class Problem:
    file: str
    message_zh: str
    row: int | None = None        # spreadsheet row number; None for a whole-file problem
    column: str | None = None     # canonical column name
    header: str | None = None     # the platform's header for that column
    value: str | None = None
    check: str = ""               # which check found it (an expectation type or a loader step)

    def text(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"「{self.header or self.column}」({self.column})")
        return " ".join(where) + f"：{self.message_zh}"

    def as_dict(self) -> dict:
        return asdict(self) | {"text": self.text()}


def unlisted(file: str, count: int, column: str | None, header: str | None, check: str) -> list[Problem]:
    """The line that counts the rows of one kind of problem beyond those listed."""
    if count <= 0:
        return []
    return [Problem(file, f"同类问题另有 {count} 行未列出", column=column, header=header, check=check)]


class ExportRejected(Exception):
    """The export cannot be published; `problems` says where and why."""

    def __init__(self, summary: str, problems: list[Problem], report_path: str | None = None):
        self.problems = problems
        self.report_path = report_path
        lines = [summary] + [f"  - {p.text()}" for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"  … 共 {len(problems)} 处问题 ({len(problems)} problems in all)")
        if report_path:
            lines.append(f"完整报告 (full report): {report_path}")
        super().__init__("\n".join(lines))
