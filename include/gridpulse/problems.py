"""Problems found in an export, worded for the staff who must fix it.

Every problem names the file as the platform wrote it, the row as a spreadsheet shows it (the
header is row 1) and the column by its Chinese header and canonical name.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

# Rows listed per check and column in a report; the count of all of them is always given.
MAX_ROWS_PER_CHECK = 50
# Problems listed per check in a report, whatever the input (200,000 unknown columns, a folder of
# 100,000 files): the rest are counted on one line per check.
MAX_PER_CLASS = 200
# A name, header or cell quoted in a message is cut to this many characters; a whole message to
# MAX_MESSAGE (a message quotes a value or two, never a file).
MAX_QUOTED = 120
MAX_MESSAGE = 1000

# Characters that must never reach a report raw: C0 and C1 controls (line breaks, NUL, escape),
# line and paragraph separators, the bidirectional overrides that reorder what is shown, and lone
# surrogates (a file name that is not UTF-8, as the OS hands it over), which no report could encode.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_QUOTED = re.compile("「([^「」]*)」")


def _escape(char: re.Match) -> str:
    code = ord(char.group())
    return {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escaped(text: str) -> str:
    """Text with every line break, NUL and control character shown as an escape (\\n, \\x00,
    \\u202e): a file name or cell can then neither forge a line of a report nor hide in it."""
    return UNPRINTABLE.sub(_escape, text)


def cut(text: str, limit: int = MAX_QUOTED) -> str:
    """Text at most `limit` characters long, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字符）"


def quoted(value) -> str:
    """A value from the export as a message may show it: escaped and cut."""
    return escaped(cut(str(value)))


def _safe_message(message: str) -> str:
    """Each 「…」 of a message (a value the export gave) cut and escaped, the whole bounded."""
    return escaped(cut(_QUOTED.sub(lambda m: f"「{cut(m.group(1))}」", message), MAX_MESSAGE))

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

    def __post_init__(self):
        """Everything the export gave is stored as it may be shown: a report, a task log and the
        JSON carry the same escaped and cut text, whoever builds the problem."""
        for name in ("file", "column", "header", "value", "check"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, quoted(value))
        object.__setattr__(self, "message_zh", _safe_message(str(self.message_zh)))

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


def bounded(problems: list[Problem], limit: int = MAX_PER_CLASS) -> list[Problem]:
    """The first `limit` problems of each check, then one line per check counting the rest."""
    seen, over, files = Counter(), Counter(), {}
    kept = []
    for problem in problems:
        seen[problem.check] += 1
        if seen[problem.check] <= limit:
            kept.append(problem)
        else:
            over[problem.check] += 1
            files.setdefault(problem.check, set()).add(problem.file)
    return kept + [Problem(next(iter(files[check])) if len(files[check]) == 1 else "（多个文件）",
                           f"同类问题（{check or '其他'}）另有 {count} 处未列出", check=check)
                   for check, count in over.items()]


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
