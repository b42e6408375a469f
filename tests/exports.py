"""Helpers that copy a good export and break it the way real exports break."""
from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd

from gridpulse.load.reader import CSV_ENCODINGS
from gridpulse.sources.manifest import sha256_of


def drop_month(month_folder: Path, source_root: Path) -> Path:
    """Put a copy of an export where the pipeline's local source looks for it."""
    target = source_root / month_folder.name
    shutil.copytree(month_folder, target)
    return target


def _encoding_of(raw: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


def edit_csv(folder: Path, file_name: str, edit) -> None:
    """Apply `edit(frame) -> frame` to a CSV, keep its encoding, and update the manifest so only
    the content is wrong (the checksum matches the new bytes)."""
    path = folder / file_name
    raw = path.read_bytes()
    encoding = _encoding_of(raw)
    frame = pd.read_csv(StringIO(raw.decode(encoding)), dtype=str, keep_default_na=False)
    frame = edit(frame)
    path.write_bytes(frame.to_csv(index=False).encode("gbk" if encoding == "gb18030" else encoding))
    _update_manifest(folder, file_name, len(frame))


def edit_xlsx(folder: Path, file_name: str, edit) -> None:
    """Like edit_csv, for a workbook."""
    path = folder / file_name
    frame = edit(pd.read_excel(path, dtype=str, keep_default_na=False))
    frame.to_excel(path, index=False)
    _update_manifest(folder, file_name, len(frame))


def _update_manifest(folder: Path, file_name: str, rows: int) -> None:
    path = folder / file_name
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["file"] == file_name:
            entry["sha256"] = sha256_of(path)
            entry["rows"] = rows
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
