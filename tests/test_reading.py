"""Reading platform files: encodings, XLSX, header mapping, and cell-level errors that name the
file, the row and the column."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook

from gridpulse import config
from gridpulse.contract import tables
from gridpulse.ingest.landing import land_file
from gridpulse.ingest.typing import typed_table_sql, unreadable_problems
from gridpulse.validate.suites import all_suites

MAPPING = config.platform_mapping("jiangxi_shzl")
DISPUTES = tables()["disputes"]
DISPUTE_HEADERS = list(MAPPING["files"]["disputes"]["columns"])  # 纠纷编号, 排查机构编码, ...
ROWS = [["D1", "360502001", "乡镇（街道）", "2022-11-03 09:00:00", "是"],
        ["D2", "360502001001", "村（居）", "2022/11/04 10:30", "否"]]


def _csv(path, encoding, rows=ROWS, headers=DISPUTE_HEADERS):
    pd.DataFrame(rows, columns=headers).to_csv(path, index=False, encoding=encoding)
    return path


SPEC = {**MAPPING, **MAPPING["files"]["disputes"]}


def _land(path, batch_rows=1):
    """The file landed in a fresh DuckDB; a workbook is handed over `batch_rows` rows at a time
    (one row: every row is a batch of its own, and still carries its own spreadsheet row number)."""
    con = duckdb.connect()
    return con, land_file(con, path, "disputes", DISPUTES, SPEC, path.parent, batch_rows)


def _read(path, batch_rows=1):
    """Typed rows and problems of a file."""
    con, landed = _land(path, batch_rows)
    assert landed.problems == [] and landed.header_map.problems == []
    con.execute(typed_table_sql("disputes", landed, DISPUTES, SPEC))
    typed = con.execute("SELECT * FROM disputes ORDER BY source_row").df()
    return typed, unreadable_problems(con, "disputes", DISPUTES, path.name, landed.header_map.headers)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_in_gbk_and_utf8_reads_the_same(tmp_path, encoding):
    typed, problems = _read(_csv(tmp_path / "矛盾纠纷.csv", encoding))
    assert problems == []
    assert typed["found_level"].tolist() == ["township", "village"]
    assert typed["is_resolved"].tolist() == [True, False]
    assert typed["reported_at"].tolist() == [pd.Timestamp("2022-11-03 09:00"), pd.Timestamp("2022-11-04 10:30")]
    assert typed["source_row"].tolist() == [2, 3]


def test_xlsx_reads_like_csv(tmp_path):
    book = Workbook()
    book.active.append(DISPUTE_HEADERS)
    for row in ROWS:
        book.active.append(row)
    path = tmp_path / "矛盾纠纷.xlsx"
    book.save(path)
    typed, problems = _read(path)
    assert problems == [] and typed["dispute_id"].tolist() == ["D1", "D2"]


def test_unreadable_cell_names_file_row_and_column(tmp_path):
    rows = [ROWS[0], ["D2", "360502001001", "村（居）", "11月4日", "否"]]
    typed, problems = _read(_csv(tmp_path / "矛盾纠纷.csv", "gbk", rows))
    assert len(problems) == 1
    assert problems[0].text() == "矛盾纠纷.csv 第 3 行 「登记时间」(reported_at)：「11月4日」不是日期时间（如 2022-11-01 08:30:00）"


def test_missing_and_duplicated_headers_are_reported(tmp_path):
    headers = DISPUTE_HEADERS[:-1] + [DISPUTE_HEADERS[0]]
    rows = [r[:-1] + [r[0]] for r in ROWS]
    _, landed = _land(_csv(tmp_path / "矛盾纠纷.csv", "utf-8", rows, headers))
    texts = [p.text() for p in landed.header_map.problems]
    assert "矛盾纠纷.csv 第 1 行 「纠纷编号」(dispute_id)：表头重复" in texts
    assert "矛盾纠纷.csv 第 1 行 「是否化解」(is_resolved)：缺少列「是否化解」" in texts
    assert not landed.readable


def test_committed_suites_equal_the_contract():
    """expectations/*.json is generated from the contract (`python -m gridpulse suites`): no drift."""
    for name, suite in all_suites().items():
        committed = json.loads((config.EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(suite)), f"expectations/{name}.json is stale: run `python -m gridpulse suites`"

