"""The personal-data scan of the end-to-end test (tests/personal_data.py) finds a name, a phone
number or an ID number of the demo export wherever one is planted: a mart, a view, XLSX, DOCX,
PDF, CSV, HTML and a log. A scan that found nothing here would pass anything."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from docx import Document
from openpyxl import Workbook

from personal_data import PERSONAL_COLUMNS, file_text, fixed_text, id_numbers, personal_values, scan_files, scan_warehouse


@pytest.fixture(scope="module")
def demo_people(demo_month):
    workers = pd.read_excel(demo_month / "网格员.xlsx", dtype=str, keep_default_na=False)
    members = pd.read_excel(demo_month / "特殊人群.xlsx", dtype=str, keep_default_na=False)
    secrets = personal_values(demo_month, ignore=fixed_text(demo_month))
    long_name = next(n for n in members["姓名"] if len(n) >= 3 and n in secrets)
    return {"name": long_name, "phone": members["监护人电话"].iloc[3], "id": workers["身份证号"].iloc[5], "secrets": secrets}


def test_the_scan_reads_every_personal_column(demo_people):
    secrets = demo_people["secrets"]
    assert {demo_people["phone"], demo_people["id"], demo_people["name"]} <= secrets
    assert len(id_numbers(secrets)) > 2000
    assert set(PERSONAL_COLUMNS) == {"网格员.xlsx", "特殊人群.xlsx"}


def test_the_warehouse_scan_finds_a_planted_value_in_a_table_and_a_view(tmp_path, demo_people):
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA marts; CREATE SCHEMA staging")
    con.execute("CREATE TABLE raw.grid_workers AS SELECT 'W000001' AS worker_id")
    con.execute("CREATE TABLE marts.clean AS SELECT 'W000001' AS worker_id, 3 AS n")
    con.close()
    assert scan_warehouse(warehouse, demo_people["secrets"]) == []
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE raw.special_population AS SELECT 'TS1' AS person_id, ? AS id_number", [demo_people["id"]])
    con.execute("CREATE TABLE marts.leak AS SELECT 1 AS n, ? AS note", [f"联系 {demo_people['phone']}"])
    con.execute("CREATE TABLE raw.old_workers AS SELECT ? AS worker_name", [demo_people["name"]])
    con.execute("CREATE VIEW staging.leak_view AS SELECT worker_name FROM raw.old_workers")
    con.close()
    hits = scan_warehouse(warehouse, demo_people["secrets"])
    assert f"marts.leak: {demo_people['phone']}" in hits and f"staging.leak_view: {demo_people['name']}" in hits
    assert f"raw.special_population: {demo_people['id']}" in hits  # raw is scanned like the rest


def _pdf(path, text):
    from gridpulse.bulletin.document import Bulletin, Letterhead, Paragraph
    from gridpulse.bulletin.figures import Register
    from gridpulse.bulletin.typst_writer import write_pdf

    write_pdf(Bulletin("yushui", "2022-11", ["通报"], Letterhead("办公室", "2022年12月5日", "办公室", "2022年12月5日"),
                       "各单位", [Paragraph(text)], "考核内容", [], Register("2022-11")), path)


def _docx(path, text):
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 1).text = text
    document.save(str(path))


def _xlsx(path, text):
    book = Workbook()
    book.active.append(["排名", text])
    book.save(path)


WRITERS = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "csv": lambda path, text: path.write_text(f"a,b\n1,{text}\n", encoding="utf-8-sig"),
    "html": lambda path, text: path.write_text(f"<td>{text}</td>", encoding="utf-8"),
    "log": lambda path, text: path.write_text(f"INFO task: {text}\n", encoding="utf-8"),
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("what", ["name", "phone", "id"])
def test_the_file_scan_finds_a_planted_value(tmp_path, demo_people, kind, what):
    clean, planted = tmp_path / f"clean.{kind}", tmp_path / f"planted.{kind}"
    WRITERS[kind](clean, "渝水区综治中心")
    WRITERS[kind](planted, f"渝水区 {demo_people[what]} 综治中心")
    assert "综治中心" in file_text(clean)  # the scan reads the file's text at all
    assert scan_files([clean], demo_people["secrets"]) == []
    assert scan_files([planted], demo_people["secrets"]) == [f"{planted}: {demo_people[what]}"]


def test_a_pseudonym_is_the_keyed_hmac_of_the_value(monkeypatch):
    """A column marked pseudonymised reaches raw as HMAC-SHA256(key, value), computed in SQL;
    without the key the load refuses, naming the variable."""
    import hashlib
    import hmac

    import pytest

    from gridpulse.contract import Column, Table
    from gridpulse.load.pseudonyms import KEY_VARIABLE, MissingPseudonymKey, pseudonymised_select

    table = Table("people", "人员", "", ("person_id",), {
        "person_id": Column("person_id", "string", True, "人员编号"),
        "id_number": Column("id_number", "string", False, "身份证号", personal=True, pseudonymised=True)})
    con = duckdb.connect()
    con.execute("CREATE TABLE staged_people AS SELECT * FROM (VALUES ('P1', '36050219900101123X'), ('P2', NULL)) t(person_id, id_number)")
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    with pytest.raises(MissingPseudonymKey, match=KEY_VARIABLE):
        pseudonymised_select(table, "staged_people")
    monkeypatch.setenv(KEY_VARIABLE, "区综治中心的密钥")
    rows = con.execute(pseudonymised_select(table, "staged_people") + " ORDER BY person_id").fetchall()
    expected = hmac.new("区综治中心的密钥".encode(), b"36050219900101123X", hashlib.sha256).hexdigest()
    assert rows == [("P1", expected), ("P2", None)]
    assert table.personal_columns == ["id_number"]  # the value itself goes to the restricted store
