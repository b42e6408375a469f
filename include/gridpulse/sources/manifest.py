"""The export manifest: which files a month holds, their row counts and sha256."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gridpulse.problems import ExportRejected, Problem


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
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
    path = folder / manifest_name
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ExportRejected("导出缺少清单文件 (the export has no manifest)", [Problem(manifest_name, "清单文件缺失", check="manifest")]) from None
    except json.JSONDecodeError as exc:
        raise ExportRejected("清单文件无法解析 (the manifest is not valid JSON)", [Problem(manifest_name, json_problem_text(exc), row=exc.lineno, check="manifest")]) from None
    for key in ("period", "export_id", "files"):
        if key not in manifest:
            raise ExportRejected("清单文件不完整 (the manifest lacks a field)", [Problem(manifest_name, f"缺少字段 {key}", check="manifest")])
    return manifest


def checksum_problems(folder: Path, manifest: dict, manifest_name: str) -> list[Problem]:
    """Files the manifest lists that are missing or whose bytes differ from the manifest."""
    problems = []
    for entry in manifest["files"]:
        path = folder / entry["file"]
        if not path.exists():
            problems.append(Problem(entry["file"], "清单中列出的文件缺失", check="manifest"))
        elif entry.get("sha256") and sha256_of(path) != entry["sha256"].lower():
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
