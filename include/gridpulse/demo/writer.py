"""Write canonical tables the way the platform does: its file names, Chinese headers and value
words, GBK or UTF-8 CSV or XLSX, and a manifest with row counts and sha256."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from gridpulse.contract import Table
from gridpulse.sources.manifest import sha256_of

# XLSX files are zip archives that stamp the clock into every entry; a fixed stamp keeps the same
# seed byte-identical.
FIXED_STAMP = (2022, 1, 1, 0, 0, 0)


def _printed(frame: pd.DataFrame, table: Table, file_spec: dict, booleans: dict) -> pd.DataFrame:
    """Canonical columns -> the platform's headers and words, every cell as text."""
    out = pd.DataFrame(index=frame.index)
    headers = {column: header for header, column in file_spec["columns"].items()}
    words = {col: {code: word for word, code in mapping.items()} for col, mapping in (file_spec.get("values") or {}).items()}
    for name, column in table.columns.items():
        values = frame[name]
        if column.type == "timestamp":
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif column.type == "date":
            text = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        elif column.type == "boolean":  # the column's own words if the platform has them (在线/离线)
            own = {code: word for code, word in words.pop(name, {}).items() if isinstance(code, bool)}
            text = values.map({True: own.get(True, booleans["true"]), False: own.get(False, booleans["false"])})
        elif column.type == "integer":  # whole numbers, also where a missing value made the column float
            numbers = pd.to_numeric(values)
            text = numbers.fillna(0).astype("int64").astype(str).where(numbers.notna(), "")
        else:
            text = values.astype(str).where(values.notna(), "")
        if name in words:
            printed = text.map(words[name])
            text = printed.where(printed.notna(), text)
        out[headers[name]] = text.fillna("")
    return out


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = datetime(*FIXED_STAMP)
    sheet = book.create_sheet("Sheet1")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2022-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP), data, zipfile.ZIP_DEFLATED)


def write_table(frame: pd.DataFrame, table: Table, folder: Path, file_spec: dict, booleans: dict, encodings: dict) -> dict:
    path = folder / file_spec["file"]
    printed = _printed(frame, table, file_spec, booleans)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(printed, path)
    else:
        printed.to_csv(path, index=False, encoding=encodings.get(path.name, "utf-8"), lineterminator="\r\n")
    return {"table": table.name, "file": path.name, "format": path.suffix.lstrip(".").lower(), "rows": len(frame), "sha256": sha256_of(path)}


def write_manifest(folder: Path, manifest: dict, name: str) -> None:
    (folder / name).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
