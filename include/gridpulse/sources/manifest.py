"""The export manifest: which files a month holds, their row counts and sha256."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from gridpulse.problems import ExportRejected, Problem
from gridpulse.sources import gate


def sha256_of(path: Path) -> str:
    """The sha256 of a regular file, opened without following a link."""
    digest = hashlib.sha256()
    with os.fdopen(gate.open_regular(path), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def json_problem_text(exc: json.JSONDecodeError) -> str:
    """A JSON error in words a clerk can act on (the parser's own English stays out of reports)."""
    where = f"第 {exc.lineno} 行第 {exc.colno} 列"
    if exc.pos >= len(exc.doc.rstrip()):
        return f"JSON 格式错误：清单在{where}提前结束（文件不完整，可能在传输中被截断）；请从平台重新导出"
    return f"JSON 格式错误：{where}不是合法的 JSON（清单被改动或损坏）；请从平台重新导出"


def read_manifest(folder: Path, manifest_name: str) -> dict:
    """The manifest of the export in `folder`, through the gate: read without following a link,
    within the size limit, its export id and every listed name checked (gate.py)."""
    bounds = gate.limits()
    path = folder / manifest_name
    try:
        raw = gate.read_bounded(path, bounds.manifest_bytes)
    except gate.NotRegular:
        if not os.path.lexists(path):
            raise ExportRejected("导出缺少清单文件 (the export has no manifest)", [Problem(manifest_name, "清单文件缺失", check="manifest")]) from None
        raise ExportRejected("清单不是普通文件 (the manifest is a link or a device)",
                             [Problem(manifest_name, "清单不是普通文件（符号链接、设备或管道）：不会读取它", check="not_regular")]) from None
    except gate.TooLarge as large:
        raise ExportRejected("清单文件过大 (the manifest is over its size limit)",
                             [Problem(manifest_name, f"清单有 {large.size} 字节，超过上限 {large.limit} 字节（export_limits.manifest_bytes）",
                                      check="limit:manifest_bytes")]) from None
    return checked_manifest(raw, manifest_name, bounds)


def checked_manifest(raw: bytes, manifest_name: str, bounds) -> dict:
    """The parsed manifest, or ExportRejected naming what is wrong with it (every source's)."""
    try:
        manifest = gate.parse_manifest(raw)
    except UnicodeDecodeError:
        raise ExportRejected("清单文件无法解析 (the manifest is not valid JSON)",
                             [Problem(manifest_name, "清单不是 UTF-8 文本（文件损坏或编码错误）；请从平台重新导出", check="manifest")]) from None
    except json.JSONDecodeError as exc:
        raise ExportRejected("清单文件无法解析 (the manifest is not valid JSON)", [Problem(manifest_name, json_problem_text(exc), row=exc.lineno, check="manifest")]) from None
    except RecursionError:
        raise ExportRejected("清单文件无法解析 (the manifest is nested too deep)",
                             [Problem(manifest_name, "清单嵌套过深，不是平台的清单", check="manifest")]) from None
    problems = gate.manifest_problems(manifest, manifest_name, bounds)
    if problems:
        raise ExportRejected("清单文件不合规，导出未读取 (the manifest is unsafe or incomplete; nothing was read)", problems)
    return manifest


def checksum_problems(folder: Path, manifest: dict, manifest_name: str) -> list[Problem]:
    """Files the manifest lists that are missing or whose bytes differ from the manifest."""
    problems = []
    for entry in manifest["files"]:
        path = folder / entry["file"]
        if not path.exists():
            continue  # named by the gate (gate.presence_problems)
        if entry.get("sha256") and sha256_of(path) != entry["sha256"].lower():
            problems.append(Problem(entry["file"], f"文件校验和与清单 {manifest_name} 不符（传输不完整或文件被改动）", check="checksum"))
    return problems


# The archive's own record of an export, written beside the files the platform sent.
RECEIPT = "receipt.json"


def unknown_file_problems(folder: Path, expected: list[str], manifest_name: str) -> list[Problem]:
    """Files the platform mapping does not know: refused rather than ignored, since a renamed
    file would otherwise pass as a missing one plus a file nobody reads."""
    known = set(expected) | {manifest_name, RECEIPT}
    return [Problem(p.name, "导出中有导出规范之外的文件（平台是否改了文件名？）；请确认后从导出中去掉它，或在平台映射中登记",
                    check="file_unknown")
            for p in sorted(folder.iterdir()) if p.name not in known and not p.name.startswith(".")]
