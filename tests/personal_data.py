"""Find a demo export's personal data (names, phone numbers, ID numbers) wherever a run writes:
the warehouse outside raw, every output file, logs. Used by the end-to-end test and checked
against planted data, so a scan that cannot find anything would fail its own test."""
from __future__ import annotations

import re
import zipfile
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pandas as pd

# file -> its personal columns, as the platform prints them (include/config/platforms/)
PERSONAL_COLUMNS = {"网格员.xlsx": ["姓名", "联系电话", "身份证号"], "特殊人群.xlsx": ["姓名", "身份证号", "监护人电话"]}
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def personal_values(export: Path, ignore: str = "") -> set[str]:
    """Every name, phone number and 18-digit ID number of the export. A name that is also an
    ordinary word of `ignore` (the bulletin's fixed text: 高峰 is a name and a word) cannot be
    told from it in free text and is left out."""
    found: set[str] = set()
    for file_name, columns in PERSONAL_COLUMNS.items():
        frame = pd.read_excel(export / file_name, dtype=str, keep_default_na=False)
        for column in columns:
            found |= {v.strip() for v in frame[column] if v.strip()}
    return {v for v in found if v not in ignore}


def fixed_text(export: Path) -> str:
    """Text a run prints whatever the month: the bulletin's configured wording, the schemes, and
    the export's org names. A two-character name can be an ordinary word in it (高峰 is both)."""
    from gridpulse import config

    parts = [p.read_text(encoding="utf-8") for folder in (config.CONFIG_DIR / "bulletin", config.SCHEMES_DIR) for p in sorted(folder.iterdir())]
    parts += list(pd.read_excel(export / "组织机构.xlsx", dtype=str, keep_default_na=False)["机构名称"])
    return "\n".join(parts)


def id_numbers(values: set[str]) -> set[str]:
    return {v for v in values if ID_NUMBER.match(v)}


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
    return body + ("?" if "" in node else "")


@lru_cache(maxsize=4)
def _any_of(secrets: frozenset[str]) -> re.Pattern:
    """One regular expression matching any of the values, built as a trie: the text is walked
    once, where testing each of ~10,000 values against megabytes of text took minutes."""
    trie: dict = {}
    for secret in secrets:
        node = trie
        for char in secret:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie))


def _hits(text: str, secrets: set[str], where: str) -> list[str]:
    if not secrets:
        return []
    found = {match.group() for match in _any_of(frozenset(secrets)).finditer(text)}
    return [f"{where}: {secret}" for secret in sorted(found)]


def scan_warehouse(warehouse: Path, secrets: set[str]) -> list[str]:
    """Every table and view of every schema, raw included, every column, every row."""
    hits = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                                "WHERE table_catalog = current_database()").fetchall()
        assert {schema for schema, _ in relations} >= {"raw", "marts"}, "raw or the marts were not scanned"
        for schema, name in relations:
            rows = con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
            text = "\n".join(str(value) for row in rows for value in row)
            hits += _hits(text, secrets, f"{schema}.{name}")
    finally:
        con.close()
    return hits


def file_text(path: Path) -> str:
    """The text a reader of the file sees: the XML parts of DOCX and XLSX, a PDF's text layer."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as book:
            return "\n".join(_xml_text(book.read(n)) for n in book.namelist() if n.endswith((".xml", ".rels")))
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in pdf)
        finally:
            pdf.close()
    if path.suffix in (".png", ".jpg", ".duckdb", ".wal"):
        return ""
    return path.read_bytes().decode("utf-8-sig", "replace")


def files_under(folder: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    """Every file below `folder`, less those below a folder named in `skip`."""
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not set(p.relative_to(folder).parts[:-1]) & set(skip)]


def _xml_text(data: bytes) -> str:
    """Every text node and attribute value of an XML part, with character references resolved
    (openpyxl writes 渝 as &#28189;, so the raw bytes would hide it)."""
    root = ElementTree.fromstring(data)
    return "\n".join([*root.itertext(), *(v for element in root.iter() for v in element.attrib.values())])


def scan_files(files: list[Path], secrets: set[str]) -> list[str]:
    assert files, "no file to scan"
    hits = []
    for path in files:
        hits += _hits(file_text(path), secrets, str(path))
    return hits
