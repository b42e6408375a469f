"""The gate every export passes before anything of it is read (local folder, HTTP, SFTP alike).

An export comes from another organisation's platform: nothing in it may make the pipeline read,
write or print outside its month. The gate checks
- the manifest: read without following a link and within `manifest_bytes`; its `export_id`
  matches EXPORT_ID; every listed name is one plain file name (no separator, `..`, absolute
  path, NUL or control character); rows and sha256 have their types;
- the month's folder: every entry is a regular file (no symlink, device, FIFO or folder) within
  `file_bytes`; files present but not listed, and listed but absent, are named.
Files are then opened only through `open_regular` (O_NOFOLLOW, never blocking on a FIFO, the
opened file checked to be regular), so a file swapped for a link after the check is refused too.
The limits are `export_limits` in gridpulse.yml (docs/bad_exports.md, Limits).
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gridpulse import config
from gridpulse.files.safe_paths import plain_name_problem
from gridpulse.problems import Problem

# An export id names the archive's folder: letters, digits, `_`, `-` and `.`, never `..`.
EXPORT_ID = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class Limits:
    manifest_bytes: int   # the manifest file
    file_bytes: int       # any one file of the export
    files: int            # entries in the month's folder, and names in the manifest
    cell_chars: int       # characters in one cell
    header_columns: int   # columns in a header
    rows: int             # data rows of one file


def limits() -> Limits:
    """The limits of the district's profile (`export_limits`; their defaults and checks are the
    profile's, gridpulse.profile.ExportLimits)."""
    return Limits(**config.profile().export_limits.model_dump())


class NotRegular(Exception):
    """Not a regular file (a link, a device, a FIFO, a folder), or gone."""


class TooLarge(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"{size} > {limit}")
        self.size, self.limit = size, limit


def open_regular(path: Path, limit: int | None = None) -> int:
    """A descriptor of `path` opened for reading without following a link at its last part and
    without blocking on a FIFO; raise NotRegular unless it is a regular file, TooLarge beyond
    `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise NotRegular(str(exc)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegular(stat.filemode(info.st_mode))
    if limit is not None and info.st_size > limit:
        os.close(fd)
        raise TooLarge(info.st_size, limit)
    return fd


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them (raises NotRegular, TooLarge)."""
    with os.fdopen(open_regular(path, limit), "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew after the check
        raise TooLarge(len(data), limit)
    return data


# --- the manifest ------------------------------------------------------------------------------

def manifest_problems(manifest, manifest_name: str, bounds: Limits) -> list[Problem]:
    """What makes a parsed manifest unsafe or unusable: its shape, export id and listed names."""
    def problem(text: str) -> Problem:
        return Problem(manifest_name, text, check="manifest")

    if not isinstance(manifest, dict):
        return [problem("清单不是 JSON 对象（{…}）；请从平台重新导出")]
    missing = [key for key in ("period", "export_id", "files") if key not in manifest]
    if missing:
        return [problem(f"缺少字段 {key}") for key in missing]
    problems = []
    export_id = manifest["export_id"]
    if not isinstance(export_id, str) or not EXPORT_ID.fullmatch(export_id):
        problems.append(problem(f"export_id「{export_id}」不合规：只能由字母、数字、_、-、. 组成（不含 ..），以字母或数字开头，"
                                "至多 100 个字符；请从平台重新导出"))
    stamp = manifest.get("exported_at")
    if stamp is not None and not _iso_time(stamp):
        problems.append(problem(f"exported_at「{stamp}」不是 ISO 格式的时间（如 2022-12-01T08:00:00+08:00）"))
    files = manifest["files"]
    if not isinstance(files, list) or not all(isinstance(e, dict) and "file" in e for e in files):
        return problems + [problem("files 应为列表，每项含 file（文件名）；请从平台重新导出")]
    if len(files) > bounds.files:
        return problems + [problem(f"列出 {len(files)} 个文件，超过上限 {bounds.files} 个（export_limits.files）")]
    seen = set()
    for entry in files:
        problems += _entry_problems(entry, manifest_name, seen, bounds)
    return problems


def _entry_problems(entry: dict, manifest_name: str, seen: set, bounds: Limits) -> list[Problem]:
    name = entry["file"]
    why = plain_name_problem(name)
    if why is None and name in (manifest_name, "receipt.json"):
        why = "是清单或回执自己的文件名"
    if why is None and name in seen:
        why = "在清单中出现两次"
    if why:
        return [Problem(manifest_name, f"文件名「{name}」{why}；清单只能列出本月目录中的文件名", check="manifest_name")]
    seen.add(name)
    shown = Problem(name, "", check="manifest").file  # the name as a report shows it
    problems = []
    rows = entry.get("rows")
    if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 0):
        problems.append(Problem(manifest_name, f"「{shown}」的 rows「{rows}」不是非负整数", check="manifest"))
    elif rows is not None and rows > bounds.rows:
        problems.append(Problem(manifest_name, f"「{shown}」记录有 {rows} 行，超过上限 {bounds.rows} 行（export_limits.rows）",
                                check="limit:rows"))
    digest = entry.get("sha256")
    if digest is not None and (not isinstance(digest, str) or not SHA256.fullmatch(digest)):
        problems.append(Problem(manifest_name, f"「{shown}」的 sha256「{digest}」不是 64 位十六进制", check="manifest"))
    return problems


def _iso_time(stamp) -> bool:
    try:
        datetime.fromisoformat(str(stamp))
    except ValueError:
        return False
    return True


def parse_manifest(raw: bytes) -> object:
    """The manifest's JSON (raises UnicodeDecodeError, json.JSONDecodeError)."""
    return json.loads(raw.decode("utf-8-sig"))


# --- the month's folder ------------------------------------------------------------------------

@dataclass
class FolderCheck:
    accepted: list[str]          # regular files within the limits: the only names copied or read
    unsafe: list[Problem]        # entries no step may open: the export stops before it is archived
    unlisted: list[str]          # regular files the manifest does not list
    absent: list[str]            # names the manifest lists that are not there


def check_folder(folder: Path, manifest: dict, manifest_name: str, bounds: Limits) -> FolderCheck:
    """Every entry of the month's folder looked at without following links."""
    check = FolderCheck([], [], [], [])
    listed = [e["file"] for e in manifest["files"]]
    if folder.is_symlink():  # the month's folder itself must be the drop's, not a link to elsewhere
        check.unsafe.append(Problem(folder.name, "本月目录是符号链接：导出目录必须是真实目录，不会读取其中任何文件", check="not_regular"))
        return check
    with os.scandir(folder) as entries:
        for count, entry in enumerate(entries):
            if count >= bounds.files * 10:  # a folder of millions of names is not an export
                check.unsafe.append(Problem(folder.name, f"目录中的条目超过 {bounds.files * 10} 个，不是一个月的导出", check="limit:files"))
                break
            _look_at(entry, check, bounds)
    present = set(check.accepted) | {p.file for p in check.unsafe}
    check.absent = [name for name in listed if Problem(name, "").file not in present]
    check.unlisted = [name for name in check.accepted if name not in listed and name not in (manifest_name, "receipt.json")
                      and not name.startswith(".")]
    return check


KINDS = {stat.S_IFLNK: "符号链接", stat.S_IFDIR: "目录", stat.S_IFIFO: "管道（FIFO）", stat.S_IFSOCK: "套接字",
         stat.S_IFCHR: "设备", stat.S_IFBLK: "设备"}


def _look_at(entry: os.DirEntry, check: FolderCheck, bounds: Limits) -> None:
    info = entry.stat(follow_symlinks=False)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in entry.name):  # bytes that are not UTF-8: no record could hold the name
        check.unsafe.append(Problem(entry.name, "文件名不是有效的 UTF-8 文本：导出中的文件名应是平台写的 UTF-8 文件名", check="file_name"))
    elif not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "设备")
        check.unsafe.append(Problem(entry.name, f"不是普通文件（{kind}）：导出中只能有普通文件，不会读取它；请把真实文件放入导出目录",
                                    check="not_regular"))
    elif info.st_size > bounds.file_bytes:
        check.unsafe.append(Problem(entry.name, f"文件有 {info.st_size} 字节，超过上限 {bounds.file_bytes} 字节"
                                                "（export_limits.file_bytes）", check="limit:file_bytes"))
    else:
        check.accepted.append(entry.name)


def presence_problems(check: FolderCheck, known: set[str]) -> list[Problem]:
    """Listed files that are absent, and files of the mapping present but not listed (a file the
    mapping does not know is named by its own check), each said once."""
    problems = []
    others = [name for name in check.unlisted if name not in known]
    for name in check.absent:
        beside = f"（导出中另有清单未列出的文件「{others[0]}」，是否改了文件名？）" if others else ""
        problems.append(Problem(name, f"清单中列出的文件不在导出中{beside}", check="manifest"))
    for name in check.unlisted:
        if name in known:
            problems.append(Problem(name, "在导出中，但清单未列出：不会载入未列出的文件；请从平台重新导出完整的清单", check="unlisted"))
    return problems
