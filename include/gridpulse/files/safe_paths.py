"""Paths built from parts the export gave (an export id, a file name, an org code): each part must
be one plain name, and the path must resolve inside its root, or nothing is written there.

Every writer of the month's folders (archive, quarantine, staged month, follow-up lists, remote
downloads) builds its paths through `inside`, so an export id of `../../etc` or an org code
holding a `/` is refused with the part named, never followed.
"""
from __future__ import annotations

import os
from pathlib import Path

MAX_NAME_BYTES = 255  # a file name on every file system the service runs on


class UnsafePath(ValueError):
    """A path part that is not a plain name, or a path that leaves its root."""


def plain_name_problem(name) -> str | None:
    """Why `name` is not one plain file name (None if it is): no separator, no `.` or `..`, no NUL
    or control character, within MAX_NAME_BYTES."""
    if not isinstance(name, str) or not name:
        return "不是文件名（为空或不是文本）"
    if "/" in name or "\\" in name:
        return "含有路径分隔符（/ 或 \\）"
    if name in (".", ".."):
        return "是 . 或 .."
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name):
        return "含有换行、NUL 或其他控制字符"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        return "不是有效的 UTF-8 文本"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"超过 {MAX_NAME_BYTES} 字节"
    return None


def inside(root: Path, *parts: str) -> Path:
    """`root` joined with `parts`, each checked to be a plain name, refused unless the result
    resolves (links followed) to a path inside `root` as `root` itself resolves."""
    for part in parts:
        problem = plain_name_problem(part)
        if problem:
            raise UnsafePath(f"路径的一部分 {part!r} {problem}（根目录 {root}）")
    path = Path(root).joinpath(*parts)
    base = os.path.realpath(root)
    resolved = os.path.realpath(path)
    if os.path.commonpath([base, resolved]) != base:
        raise UnsafePath(f"{path} 解析到 {resolved}，在 {base} 之外：拒绝写入")
    return path
