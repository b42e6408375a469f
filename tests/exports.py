"""Helpers that copy a good export and break it the way real exports break.

Every edit goes through `rewrite`, which writes the new bytes and updates the manifest, so the
only thing wrong with the file is what the edit meant to break."""
from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from gridpulse.ingest.encoding import CSV_ENCODINGS
from gridpulse.sources.manifest import sha256_of

MANIFEST = "manifest.json"


def drop_month(month_folder: Path, source_root: Path) -> Path:
    """Put a copy of an export where the pipeline's local source looks for it."""
    target = source_root / month_folder.name
    shutil.copytree(month_folder, target)
    return target


def encoding_of(raw: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


def edit_manifest(folder: Path, edit) -> None:
    """Apply `edit(manifest_dict)` in place to the export's manifest."""
    path = folder / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def rewrite(folder: Path, file_name: str, data: bytes, rows: int | None = None) -> None:
    """Replace a file's bytes and make the manifest agree with them (sha256, and rows if given)."""
    path = folder / file_name
    path.write_bytes(data)

    def agree(manifest):
        for entry in manifest["files"]:
            if entry["file"] == file_name:
                entry["sha256"] = sha256_of(path)
                if rows is not None:
                    entry["rows"] = rows
    edit_manifest(folder, agree)


def read_text(folder: Path, file_name: str) -> tuple[str, str]:
    raw = (folder / file_name).read_bytes()
    encoding = encoding_of(raw)
    return raw.decode(encoding), "gbk" if encoding == "gb18030" else encoding


def edit_text(folder: Path, file_name: str, edit, rows: int | None = None) -> None:
    """Apply `edit(text) -> text` to a CSV's text; it is written back in the file's encoding."""
    text, encoding = read_text(folder, file_name)
    rewrite(folder, file_name, edit(text).encode(encoding), rows)


def edit_csv(folder: Path, file_name: str, edit) -> None:
    """Apply `edit(frame) -> frame` to a CSV's cells, keeping its encoding."""
    text, encoding = read_text(folder, file_name)
    frame = edit(pd.read_csv(StringIO(text), dtype=str, keep_default_na=False))
    rewrite(folder, file_name, frame.to_csv(index=False).encode(encoding), len(frame))


def edit_xlsx(folder: Path, file_name: str, edit) -> None:
    """Like edit_csv, for a workbook's cells."""
    path = folder / file_name
    frame = edit(pd.read_excel(path, dtype=str, keep_default_na=False))
    frame.to_excel(path, index=False)
    rewrite(folder, file_name, path.read_bytes(), len(frame))


def edit_book(folder: Path, file_name: str, edit) -> None:
    """Apply `edit(workbook)` with openpyxl, for what concerns sheets rather than cells."""
    path = folder / file_name
    book = load_workbook(path)
    edit(book)
    book.save(path)
    rewrite(folder, file_name, path.read_bytes())


def edit_sheet(folder: Path, file_name: str, edit) -> None:
    """Apply `edit(worksheet)` with openpyxl, for what a frame cannot express (merged cells,
    a number where text was)."""
    path = folder / file_name
    book = load_workbook(path)
    edit(book.worksheets[0])
    book.save(path)
    rewrite(folder, file_name, path.read_bytes())
