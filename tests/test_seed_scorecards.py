"""The calibrated demo months, computed from raw rows, reproduce the two printed tables:
seed 000's township scorecard (2022-11) and seed 002's grid evaluation table (2021-09).

Both months go through the real pipeline (GX validation, DuckDB load, dbt build), each district
into its own warehouse; the tests read both side by side, as a rollup does. The printed tables are fixtures copied
from the seeds as printed, slips included; where a printed figure cannot come from the rules, the
test names it (and docs/scoring.md explains it)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from gridpulse import config

from conftest import SEED_MONTHS, point_at, seed_workspace

FIXTURES = Path(__file__).parent / "fixtures"
# 罗坊镇's total 99.82 is printed at rank 3, tied with 良山镇's 99.86: a slip of the seed.
# Competition ranking of the printed totals gives 4, and rank 4 is missing from the print.
PRINTED_RANK_SLIPS = {"罗坊镇": (3, 4)}


@pytest.fixture(scope="module")
def both_months(seed_months):
    """The session's seed months (conftest.seed_months) side by side, read-only: each table of the
    two districts' warehouses as one view <schema>.<table> (their rows one after the other)."""
    patch = pytest.MonkeyPatch()
    con = duckdb.connect()
    for kind, (_period, _district, settings) in SEED_MONTHS.items():
        point_at(patch, seed_workspace(seed_months, kind))
        patch.setenv("GRIDPULSE_CONFIG", settings)
        con.execute(f"ATTACH '{config.paths().warehouse}' AS {kind} (READ_ONLY)")
    patch.undo()
    relations = con.execute("SELECT DISTINCT table_schema, table_name, table_catalog FROM information_schema.tables "
                            "WHERE table_catalog IN ('grid', 'township') ORDER BY ALL").fetchall()
    holders: dict[tuple[str, str], list[str]] = {}
    for schema, name, kind in relations:
        holders.setdefault((schema, name), []).append(kind)
    for (schema, name), kinds in holders.items():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(f'CREATE VIEW {schema}."{name}" AS ' + " UNION ALL BY NAME ".join(f'SELECT * FROM {kind}.{schema}."{name}"' for kind in kinds))
    yield con
    con.close()


def _load(name: str) -> dict:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def test_seed_000_scorecard_is_reproduced(both_months):
    printed = _load("seed_000_scorecard.yml")
    scores = both_months.execute("""
        SELECT u.org_name, s.label_zh, s.score FROM marts.fct_score_monthly s
        JOIN marts.dim_org_unit u USING (org_id)
        WHERE s.period = '2022-11' AND s.scheme_id = 'yushui_township_2022'""").fetchall()
    got = {(town, label): score for town, label, score in scores}
    assert len(got) == 170
    misses = [(row["township"], column, expected, got[(row["township"], column)])
              for row in printed["rows"] for column, expected in zip(printed["columns"], row["scores"])
              if abs(got[(row["township"], column)] - expected) > 0.005]
    assert misses == []


def test_seed_000_totals_and_ranks(both_months):
    printed = _load("seed_000_scorecard.yml")
    ranking = {name: (total, rank) for name, total, rank in both_months.execute(
        "SELECT org_name, total_score, rank FROM marts.rpt_ranking_monthly WHERE period = '2022-11' AND scheme_id = 'yushui_township_2022'").fetchall()}
    assert len(ranking) == 17
    for row in printed["rows"]:
        total, rank = ranking[row["township"]]
        assert abs(total - row["total"]) <= 0.01, row["township"]
        slip = PRINTED_RANK_SLIPS.get(row["township"])
        assert rank == (slip[1] if slip else row["rank"]), row["township"]
        if slip:
            assert row["rank"] == slip[0]  # the fixture still holds the slip as printed


def test_seed_000_headline_counts(both_months):
    """The section 一 figures the seed states consistently (docs/scoring.md lists the others)."""
    con = both_months
    def one(sql: str):
        return con.execute(sql).fetchone()[0]
    assert one("SELECT count(*) FROM staging.stg_grid_workers WHERE period = '2022-11'") == 1372
    assert one("SELECT count(*) FROM staging.stg_special_population WHERE period = '2022-11'") == 1028
    assert one("SELECT count(*) FROM intermediate.int_org_hierarchy WHERE period = '2022-11' AND org_level = 'village'") == 241
    new = con.execute("""SELECT sum(CASE WHEN is_valid THEN 1 ELSE 0 END), sum(CASE WHEN is_valid THEN 0 ELSE 1 END), count(*)
                         FROM staging.stg_events WHERE period = '2022-11' AND NOT is_carried_over""").fetchone()
    assert new == (31958, 855, 32813)
    assert one("SELECT count(*) FROM staging.stg_events WHERE period = '2022-11'") == 33071
    workers = con.execute("""SELECT sum(CASE WHEN events_reported >= 20 THEN 1 ELSE 0 END),
                                    sum(CASE WHEN min_workday_patrol_minutes >= 60 THEN 1 ELSE 0 END), count(*)
                             FROM intermediate.int_worker_monthly WHERE period = '2022-11'""").fetchone()
    assert workers == (1305, 1112, 1372)
    disputes = con.execute("""SELECT found_level, count(*), sum(CASE WHEN is_resolved THEN 1 ELSE 0 END)
                              FROM staging.stg_disputes WHERE period = '2022-11' GROUP BY found_level ORDER BY found_level""").fetchall()
    # 乡镇 78/75 and 网格 220/218 as printed; 村(居) carries 292/290 where the seed prints 273/271,
    # so that the levels add up to the printed 590/583 (the seed's levels sum to 571/564)
    assert disputes == [("grid", 220, 218), ("township", 78, 75), ("village", 292, 290)]


def test_seed_002_grid_table_is_reproduced(both_months):
    printed = _load("seed_002_grid_table.yml")
    rows = both_months.execute("""
        SELECT v.org_name, g.org_name, s.label_zh, s.rule, s.points_deducted, s.score
        FROM marts.fct_score_monthly s
        JOIN marts.dim_org_unit g ON g.org_id = s.org_id
        JOIN marts.dim_org_unit v ON v.org_id = g.parent_org_id
        WHERE s.period = '2021-09' AND s.scheme_id = 'baiguan_grid_2021'""").fetchall()
    got: dict = {}
    for unit, grid, label, rule, deducted, score in rows:
        got.setdefault((unit, grid), {})[label] = score if rule == "adjustment" else deducted
    totals = {(unit, grid): total for unit, grid, total in both_months.execute("""
        SELECT v.org_name, g.org_name, r.total_score FROM marts.rpt_ranking_monthly r
        JOIN marts.dim_org_unit g ON g.org_id = r.org_id JOIN marts.dim_org_unit v ON v.org_id = g.parent_org_id
        WHERE r.period = '2021-09'""").fetchall()}
    assert len(got) == len(printed["rows"]) == 65
    for row in printed["rows"]:
        key = (row["unit"], row["grid"])
        entries = dict(row["entries"])
        # the printed +10 under 系统维护 (a 2-point item) can only be a bonus: it is an adjustment here
        misplaced_bonus = entries.pop("系统维护", 0) if entries.get("系统维护", 0) > 0 else 0
        expected = {label: 0 for label in got[key]} | entries | {"附加分": (row["bonus"] or 0) + misplaced_bonus}
        assert got[key] == expected, key
        assert totals[key] == row["total"], key


def test_each_district_has_its_own_scheme_and_warehouse(both_months):
    schemes = both_months.execute("SELECT period, scheme_id, count(DISTINCT org_id) FROM marts.rpt_ranking_monthly GROUP BY ALL ORDER BY 1").fetchall()
    assert schemes == [("2021-09", "baiguan_grid_2021", 65), ("2022-11", "yushui_township_2022", 17)]
    for kind, district in (("grid", "330604"), ("township", "360502")):
        assert both_months.execute(f"SELECT district_code FROM {kind}.meta.warehouse_owner").fetchall() == [(district,)]
        assert both_months.execute(f"SELECT count(DISTINCT scheme_id) FROM {kind}.marts.dim_scheme_item").fetchone()[0] == 1


def test_seed_000_section_one_from_the_marts(both_months):
    """Section 一's township findings, read from the marts the bulletin uses."""
    activity = {row[0]: row[1:] for row in both_months.execute("""
        SELECT org_name, admin_login_rate, volunteer_events, volunteer_events_closed, quality_best_events
        FROM marts.rpt_township_activity_monthly WHERE period = '2022-11'""").fetchall()}
    # 4、管理员账号登录: four units at 100 %, 通洲办 and 珠珊镇 under 36 %
    assert sorted(t for t, row in activity.items() if row[0] == 1) == sorted(["良山镇", "罗坊镇", "界水乡", "南安乡"])
    assert sorted(t for t, row in activity.items() if row[0] < 0.36) == sorted(["通洲办", "珠珊镇"])
    # 8、平安志愿者: 349 valid events, 255 closed, 73 %, in exactly seven units
    assert sum(row[1] for row in activity.values()) == 349 and sum(row[2] for row in activity.values()) == 255
    assert round(255 / 349 * 100) == 73
    assert sorted(t for t, row in activity.items() if row[1] > 0) == sorted(["城北办", "城南办", "水北镇", "良山镇", "罗坊镇", "人和乡", "界水乡"])
    # 9、优质事件: 罗坊镇 10, 南安乡 3, 人和乡 3, 姚圩镇 1 rated best by the city
    assert {t: row[3] for t, row in activity.items() if row[3]} == {"罗坊镇": 10, "南安乡": 3, "人和乡": 3, "姚圩镇": 1}
    # 6、矛盾纠纷 by level with shares of the district's 590 and success rates
    levels = {row[0]: row[1:] for row in both_months.execute("""
        SELECT found_level, disputes, unit_disputes, round(100 * share_of_disputes, 2), disputes_resolved, round(100 * resolution_rate, 2)
        FROM marts.rpt_disputes_by_level_monthly WHERE period = '2022-11' AND org_level = 'district'""").fetchall()}
    assert levels["township"] == (78, 590, 13.22, 75, 96.15)  # as printed
    assert levels["grid"] == (220, 590, 37.29, 218, 99.09)      # printed 37.28 %: 220/590 is 37.288 %
    assert levels["village"][:2] == (292, 590)


def test_seed_002_category_and_agency_tables(both_months):
    categories = both_months.execute("""
        SELECT category, events, unit_events, round(100 * share_of_events, 2) FROM marts.rpt_event_categories_monthly
        WHERE period = '2021-09' AND org_level = 'district' ORDER BY category_rank, category""").fetchall()
    assert [c[:2] for c in categories][:3] == [("城市管理", 835), ("矛盾纠纷", 563), ("其他", 519)]
    assert sum(c[1] for c in categories) == 2975 and {c[2] for c in categories} == {2975}
    # shares on the 合计 of 2975; the seed's table divides by 2970 (城市管理 28.11 %), its text by 2975 (28.07 %)
    assert dict((c[0], c[3]) for c in categories)["城市管理"] == 28.07
    agencies = both_months.execute("""
        SELECT agency_name, events_handled, transfers, events_closed, closure_rate FROM marts.rpt_agency_handling_monthly
        WHERE period = '2021-09' ORDER BY agency_id""").fetchall()
    assert len(agencies) == 17 and agencies[0][0] == "百官国土资源所"
    active = {a[0]: a[1:] for a in agencies if a[1]}
    assert active == {"综合执法城南中队": (2, 2, 2, 1.0), "综合执法城北中队": (1, 1, 1, 1.0)}
    assert all(a[4] is None for a in agencies if not a[1])  # printed as '/'


def _is_header(row) -> bool:
    """A header row, repeated on each page: the grid table's header is two rows (its groups over
    its items, as seed 002 prints it)."""
    from docx.oxml.ns import qn

    return row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None


def test_seed_002_tables_in_the_grid_bulletin(seed_months):
    """The grid bulletin prints seed 002's three tables from the marts: categories with shares and
    a 合计 row, agencies with '/' where none, and the grid table with blanks for full marks."""
    from docx import Document

    document = Document(str(seed_workspace(seed_months, "grid") / "output" / "2021-09" / "bulletin.docx"))
    tables = {t.rows[0].cells[0].text: [[c.text for c in row.cells] for row in t.rows if not _is_header(row)]
              for t in document.tables}
    categories = tables["类型"]
    assert categories[0] == ["城市管理", "835", "28.07%"] and categories[-1] == ["合计", "2975", "100.00%"]
    assert sum(int(row[1]) for row in categories[:-1]) == 2975
    agencies = {row[0]: row[1:] for row in tables["基层站所"]}
    assert len(agencies) == 17 and agencies["综合执法城南中队"] == ["2", "2", "2", "100.00%"]
    assert agencies["百官派出所"] == ["/", "/", "/", "/"]
    printed = {(row["unit"], row["grid"]): row for row in _load("seed_002_grid_table.yml")["rows"]}
    grids = tables["单位"]
    assert len(grids) == 65
    for row in grids:
        expected = printed[(row[0], row[1])]
        assert int(row[-1]) == expected["total"]
        shown = [cell for cell in row[2:-1] if cell]
        assert len(shown) == len(expected["entries"]) + (1 if expected["bonus"] else 0), row
