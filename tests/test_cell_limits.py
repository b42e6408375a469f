"""A cell over `export_limits.cell_chars` is found whether DuckDB's statistics clear a column (no
scan of it) or not (the column is scanned): the same problems, at the same rows and columns."""
from __future__ import annotations

import duckdb
import pytest

from gridpulse.ingest import cell_limits
from gridpulse.ingest.cell_limits import cell_problems
from gridpulse.ingest.headers import HeaderMap

HEADERS = ["事件描述", "网格名称"]
LIMIT = 20  # characters


@pytest.fixture
def landing():
    """A landing table as landing.py writes it: VARCHAR columns, one 30-character cell (90 bytes) in
    the first column at data row 5000, the second column within the limit."""
    con = duckdb.connect()
    con.execute("CREATE TABLE landing (source_file VARCHAR, col_0 VARCHAR, col_1 VARCHAR)")
    rows = [("f", "短", "x" * 10)] * 4999 + [("f", "长" * 30, "y")] + [("f", "短", None)] * 10
    con.executemany("INSERT INTO landing VALUES (?, ?, ?)", rows)
    yield con
    con.close()


def _found(con) -> list[tuple]:
    return [(p.row, p.header, p.message_zh) for p in cell_problems(con, "landing", 2, "事件.csv", HeaderMap(), HEADERS, LIMIT, controls=False)]


def test_the_statistics_give_each_columns_longest_cell_in_bytes(landing):
    assert cell_limits._statistics_longest(landing, "landing") == {"source_file": 1, "col_0": 90, "col_1": 10}


def test_a_long_cell_is_found_alike_with_the_statistics_and_without(landing, monkeypatch):
    with_statistics = _found(landing)
    assert len(with_statistics) == 1
    row, header, message = with_statistics[0]
    assert (row, header) == (5001, "事件描述") and "单元格有 30 个字符，超过上限 20 个" in message
    monkeypatch.setattr(cell_limits, "_statistics_longest", lambda con, landing: {})  # another DuckDB's statistics
    assert _found(landing) == with_statistics


def test_a_column_within_the_limit_by_its_statistics_is_not_read_again(landing, monkeypatch):
    scanned = []
    real = landing.execute

    class Watched:
        def __getattr__(self, name):
            return getattr(landing, name)

        def execute(self, sql, *args):
            if "strlen" in sql:
                scanned.append(sql)
            return real(sql, *args)

    cell_problems(Watched(), "landing", 2, "事件.csv", HeaderMap(), HEADERS, LIMIT, controls=False)
    assert len(scanned) == 1 and '"col_0"' in scanned[0] and '"col_1"' not in scanned[0]
