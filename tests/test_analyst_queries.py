"""The questions of docs/analysts.md, run as written on the demo warehouse (2022-10 and 2022-11),
each answer checked against a computation from the raw rows or a figure of the calibrated month.
The SQL is read from the doc, so the doc and the tests cannot drift apart."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import duckdb
import pytest
import yaml

from conftest import IMPROVED_IN_OCTOBER, PROJECT_DIR

DOC = PROJECT_DIR / "docs" / "analysts.md"
PRINTED = yaml.safe_load((PROJECT_DIR / "tests" / "fixtures" / "seed_000_scorecard.yml").read_text(encoding="utf-8"))
WEIGHTS = [20, 5, 5, 10, 10, 5, 5, 20, 10, 10]  # the printed columns' points, in PRINTED["columns"] order


def questions() -> dict[int, str]:
    """{number: SQL} of every '### n.' section of the doc."""
    found = re.findall(r"^### (\d+)\..*?```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    return {int(number): sql for number, sql in found}


@pytest.fixture(scope="module")
def con(two_month_warehouse):
    connection = duckdb.connect(str(two_month_warehouse), read_only=True)
    yield connection
    connection.close()


def answer(con, number: int) -> list[dict]:
    relation = con.sql(questions()[number])
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def raw(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_the_doc_has_eighteen_questions_each_with_one_query():
    assert sorted(questions()) == list(range(1, 19))


def test_1_ranking_with_change(con):
    rows = answer(con, 1)
    assert len(rows) == 17
    for printed in PRINTED["rows"]:
        row = next(r for r in rows if r["org_name"] == printed["township"])
        assert abs(row["total_score"] - printed["total"]) <= 0.01
        assert row["rank"] == (4 if printed["township"] == "罗坊镇" else printed["rank"])  # the seed's slip
    fell = {r["org_name"] for r in rows if r["rank_change"] < 0}
    assert fell == {IMPROVED_IN_OCTOBER}
    assert all(r["rank_change"] == r["previous_rank"] - r["rank"] for r in rows)


def test_2_townships_that_fell_and_the_items_they_lost(con):
    rows = answer(con, 2)
    scores = {}
    for period, org_name, label, score in raw(con, """
            SELECT s.period, u.org_name, s.label_zh, s.score FROM marts.fct_score_monthly s
            JOIN marts.dim_org_unit u USING (org_id) WHERE s.scheme_id = 'yushui_township_2022'"""):
        scores[(period, org_name, label)] = score
    lost = {(town, label) for (period, town, label), score in scores.items()
            if period == "2022-11" and town == IMPROVED_IN_OCTOBER and score < scores[("2022-10", town, label)]}
    assert {(r["org_name"], r["label_zh"]) for r in rows} == lost
    assert (IMPROVED_IN_OCTOBER, "处理及时率") in lost  # the item October was improved on
    assert all(r["change"] < 0 and r["rank"] > r["previous_rank"] for r in rows)


def _hazard_events_from_raw(con) -> Counter:
    """Valid hazard events new in the month, by the reporting worker's township, from raw rows."""
    parents = {(p, o): parent for p, o, parent in raw(con, "SELECT period, org_id, parent_org_id FROM raw.org_units")}
    levels = {(p, o): level for p, o, level in raw(con, "SELECT period, org_id, org_level FROM raw.org_units")}

    def township(period, org_id):
        while levels.get((period, org_id)) not in ("township", None):
            org_id = parents[(period, org_id)]
        return org_id

    grid_of = {(p, w): g for p, w, g in raw(con, "SELECT period, worker_id, grid_id FROM raw.grid_workers")}
    counts = Counter()
    for period, reporter in raw(con, """SELECT period, reporter_id FROM raw.events WHERE reporter_role = 'grid_worker'
                                        AND is_valid AND is_safety_hazard AND NOT is_carried_over"""):
        counts[(period, township(period, grid_of[(period, reporter)]))] += 1
    return counts


def test_3_hazard_events_per_worker_by_township_over_12_months(con):
    rows = answer(con, 3)
    names = dict(raw(con, "SELECT org_id, org_name FROM marts.dim_org_unit WHERE org_level = 'township'"))
    expected = {(period, names[town]): n for (period, town), n in _hazard_events_from_raw(con).items()}
    assert {(r["period"], r["township"]): r["hazard_events"] for r in rows} == expected
    assert {r["period"] for r in rows} == {"2022-10", "2022-11"}
    assert sum(r["grid_workers"] for r in rows if r["period"] == "2022-11") == 1372
    for r in rows:
        assert r["hazard_events_per_worker"] == pytest.approx(r["hazard_events"] / r["grid_workers"], abs=0.005)


def test_4_grids_with_most_overdue_events(con):
    rows = answer(con, 4)
    overdue = Counter(dict(raw(con, """
        SELECT org_id, count(*) FROM raw.events
        WHERE period = '2022-11' AND is_valid AND NOT is_carried_over
          AND CASE WHEN closed_at IS NOT NULL THEN closed_at > due_at ELSE due_at < DATE '2022-12-01' END
        GROUP BY org_id""")))
    assert len(rows) == 10
    assert [r["overdue_events"] for r in rows] == [n for _, n in overdue.most_common(10)]
    assert sum(overdue.values()) == 540  # rpt_headline_monthly.events_overdue of the demo (docs/scoring.md)


def test_5_share_of_disputes_found_at_grid_level(con):
    rows = {r["found_level"]: r for r in answer(con, 5)}
    assert rows["grid"]["disputes"] == 220 and rows["grid"]["unit_disputes"] == 590  # seed 000 一.6(1)
    assert rows["grid"]["share_percent"] == pytest.approx(37.29)
    assert rows["township"]["disputes"] == 78 and rows["village"]["disputes"] == 292
    resolved = raw(con, """SELECT count(*) FROM raw.disputes d JOIN raw.org_units o ON o.period = d.period
                           AND o.org_id = d.org_id WHERE d.period = '2022-11'""")
    assert sum(r["disputes"] for r in rows.values()) == resolved[0][0]


def test_6_top_event_categories(con):
    rows = answer(con, 6)
    counts = Counter(dict(raw(con, """SELECT category, count(*) FROM raw.events
                                     WHERE period = '2022-11' AND NOT is_carried_over GROUP BY category""")))
    assert [(r["category"], r["events"]) for r in rows] == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert rows[0]["share_percent"] == pytest.approx(round(100 * rows[0]["events"] / 32813, 2))


def test_7_workers_below_the_event_quota(con):
    rows = answer(con, 7)
    assert sum(r["workers_below_quota"] for r in rows) == 67  # 1,372 workers, 1,305 at quota
    assert len(rows) == 8 and "罗坊镇" not in {r["township"] for r in rows}  # docs/scoring.md: 8 units, not 9
    by_score = {row["township"]: row["scores"][2] for row in PRINTED["rows"]}  # 达标网格员
    assert all(by_score[r["township"]] < 5 for r in rows)


def test_8_items_below_full_marks(con):
    rows = answer(con, 8)
    printed = {(row["township"], label): score for row in PRINTED["rows"]
               for label, score, weight in zip(PRINTED["columns"], row["scores"], WEIGHTS) if score < weight}
    assert {(r["township"], r["label_zh"]) for r in rows} == set(printed)
    assert all(abs(r["score"] - printed[(r["township"], r["label_zh"])]) <= 0.005 for r in rows)


def test_9_headline_figures(con):
    (row,) = answer(con, 9)
    assert (row["events_reported"], row["events_valid"], row["events_invalid"]) == (32813, 31958, 855)
    assert (row["valid_percent"], row["events_overdue"], row["carried_over_events"]) == (97.4, 540, 258)


def test_10_patrol_compliance_lowest_first(con):
    rows = answer(con, 10)
    assert len(rows) == 17
    assert sum(r["grid_workers"] for r in rows) == 1372 and sum(r["compliant_workers"] for r in rows) == 1372 - 260
    percents = [r["compliance_percent"] for r in rows]
    assert percents == sorted(percents)


def _org_units(con, period: str) -> dict[str, tuple[str, str, str]]:
    """{org_id: (name, level, parent)} of a month, from raw rows."""
    return {o: (name, level, parent) for o, name, level, parent in raw(con, f"""
        SELECT org_id, org_name, org_level, parent_org_id FROM raw.org_units WHERE period = '{period}'""")}


def test_11_workers_below_quota_placed_in_grid_village_and_township(con):
    rows = answer(con, 11)
    units = _org_units(con, "2022-11")
    grid_of = dict(raw(con, "SELECT worker_id, grid_id FROM raw.grid_workers WHERE period = '2022-11'"))
    reported = Counter(dict(raw(con, """SELECT reporter_id, count(*) FROM raw.events WHERE period = '2022-11'
                                      AND reporter_role = 'grid_worker' AND NOT is_carried_over GROUP BY reporter_id""")))
    expected = set()
    for worker, grid in grid_of.items():
        if reported[worker] < 20:  # the scheme's quota (include/schemes/yushui_township_2022.yml)
            village = units[grid][2]
            expected.add((units[units[village][2]][0], units[village][0], units[grid][0], worker, reported[worker]))
    assert {(r["township"], r["village"], r["grid"], r["worker_id"], r["events_reported"]) for r in rows} == expected
    assert len(rows) == 67  # question 7's total
    assert all(r["met_quota"] == 0 for r in rows)


def test_11_the_worker_dimension_holds_no_personal_column(con):
    columns = {c for (c,) in raw(con, """SELECT column_name FROM information_schema.columns
                                        WHERE table_schema = 'marts' AND table_name = 'dim_grid_worker'""")}
    assert columns == {"worker_id", "grid_id", "village_id", "township_id", "active_from", "active_to", "last_seen_period",
                       "district_id"}


def test_12_hazard_categories_and_their_events(con):
    rows = answer(con, 12)
    flagged = Counter(dict(raw(con, """SELECT category, count(*) FILTER (WHERE period = '2022-11' AND NOT is_carried_over)
                                      FROM raw.events WHERE is_safety_hazard GROUP BY category""")))
    assert {r["category"]: r["events"] for r in rows} == dict(flagged)
    assert {r["category"] for r in rows} == {"消防安全", "治安隐患", "交通安全", "食药安全", "自然灾害", "治危拆违"}
    assert [r["events"] for r in rows] == sorted((r["events"] for r in rows), reverse=True)


def test_13_top_category_of_each_village_of_a_township(con):
    rows = answer(con, 13)
    units = _org_units(con, "2022-11")
    (township,) = [o for o, (name, level, _) in units.items() if name == "界水乡" and level == "township"]
    village_of = {o: (o if level == "village" else parent) for o, (_, level, parent) in units.items() if level in ("village", "grid")}
    counts: dict[str, Counter] = {}
    for org_id, category in raw(con, "SELECT org_id, category FROM raw.events WHERE period = '2022-11' AND NOT is_carried_over"):
        village = village_of.get(org_id)
        if village and units[village][2] == township:
            counts.setdefault(village, Counter())[category] += 1
    expected = set()
    for village, by_category in counts.items():
        top = max(by_category.values())
        expected |= {(units[village][0], c, n, sum(by_category.values())) for c, n in by_category.items() if n == top}
    assert {(r["village"], r["category"], r["events"], r["unit_events"]) for r in rows} == expected
    assert len({r["village"] for r in rows}) == len(counts) > 1


def test_14_grids_sending_most_events_to_agencies(con):
    rows = answer(con, 14)
    units = _org_units(con, "2022-11")
    pairs = Counter()
    for event_org, agency, n in raw(con, """
            SELECT e.org_id, x.to_org_id, count(DISTINCT x.event_id) FROM raw.event_transfers x
            JOIN raw.events e ON e.period = x.period AND e.event_id = x.event_id
            WHERE x.period = '2022-11' GROUP BY e.org_id, x.to_org_id"""):
        if units[event_org][1] == "grid" and units[agency][1] == "agency":
            pairs[(event_org, agency)] += n
    assert len(rows) == 10
    assert [r["events_transferred"] for r in rows] == sorted(pairs.values(), reverse=True)[:10]
    assert all(pairs[(r["grid_id"], r["agency_id"])] == r["events_transferred"] for r in rows)
    assert all(0 <= r["events_closed"] <= r["events_transferred"] for r in rows)


def _townships_of(con, period: str) -> dict[str, str]:
    """{org_id: its township's name} of a month, up the raw org units' parents."""
    units = _org_units(con, period)

    def township(org_id):
        while org_id in units and units[org_id][1] != "township":
            org_id = units[org_id][2]
        return units[org_id][0] if org_id in units else None
    return {org_id: township(org_id) for org_id in units}


def test_15_online_days_and_patrols_per_worker_by_township(con):
    rows = {r["township"]: r for r in answer(con, 15)}
    town_of = _townships_of(con, "2022-11")
    grid_of = dict(raw(con, "SELECT worker_id, grid_id FROM raw.grid_workers WHERE period = '2022-11'"))
    online, patrols, workers = Counter(), Counter(), {}
    for worker, is_online in raw(con, "SELECT worker_id, is_online FROM raw.app_activity WHERE period = '2022-11'"):
        workers.setdefault(town_of[grid_of[worker]], set()).add(worker)
        online[town_of[grid_of[worker]]] += int(is_online)
    for (worker,) in raw(con, "SELECT worker_id FROM raw.patrols WHERE period = '2022-11'"):
        workers.setdefault(town_of[grid_of[worker]], set()).add(worker)
        patrols[town_of[grid_of[worker]]] += 1
    assert set(rows) == set(workers) and len(rows) == 17
    for town, members in workers.items():
        assert rows[town]["workers"] == len(members)
        # rounded to one decimal by SQL (half away from zero): within half a step of the exact mean
        assert rows[town]["online_days_per_worker"] == pytest.approx(online[town] / len(members), abs=0.0501)
        assert rows[town]["patrols_per_worker"] == pytest.approx(patrols[town] / len(members), abs=0.0501)
    assert sum(r["workers"] for r in rows.values()) == 1372


def test_16_agencies_median_handling_time_and_overdue_share(con):
    import numpy as np

    rows = {r["agency_name"]: r for r in answer(con, 16)}
    names = dict(raw(con, "SELECT org_id, org_name FROM raw.org_units WHERE period = '2022-11' AND org_level = 'agency'"))
    hours, handled, overdue = {}, Counter(), Counter()
    month_end = datetime(2022, 12, 1)
    for agency, transferred, closed, due in raw(con, """
            SELECT x.to_org_id, min(x.transferred_at), any_value(e.closed_at), any_value(e.due_at)
            FROM raw.event_transfers x JOIN raw.events e ON e.period = x.period AND e.event_id = x.event_id
            WHERE x.period = '2022-11' GROUP BY x.to_org_id, x.event_id"""):
        handled[agency] += 1
        overdue[agency] += int(closed > due if closed is not None else due < month_end)
        if closed is not None and closed <= month_end:
            hours.setdefault(agency, []).append((closed - transferred).total_seconds() / 3600)
    assert set(rows) == set(names.values())
    for agency, name in names.items():
        row = rows[name]
        assert row["events_handled"] == handled[agency] and row["events_closed"] == len(hours.get(agency, []))
        if hours.get(agency):
            assert float(row["median_handling_hours"]) == pytest.approx(np.percentile(hours[agency], 50), abs=0.051)
            assert float(row["p90_handling_hours"]) == pytest.approx(np.percentile(hours[agency], 90), abs=0.051)
        if handled[agency]:
            assert row["overdue_percent"] == pytest.approx(100 * overdue[agency] / handled[agency], abs=0.00501)
    assert sum(handled.values()) > 0 and all(h >= 0 for values in hours.values() for h in values)


def test_17_share_of_events_in_the_last_three_days_by_township(con):
    rows = {r["township"]: r for r in answer(con, 17)}
    town_of = _townships_of(con, "2022-11")
    events, late = Counter(), Counter()
    for org_id, reported in raw(con, "SELECT org_id, reported_at FROM raw.events WHERE period = '2022-11' AND NOT is_carried_over"):
        events[town_of[org_id]] += 1
        late[town_of[org_id]] += int(reported.day >= 28)
    assert {t: (r["events"], r["last_three_days"]) for t, r in rows.items()} == {t: (events[t], late[t]) for t in events}
    assert sum(events.values()) == 32813
    for town, row in rows.items():
        assert row["last_three_days_percent"] == pytest.approx(100 * late[town] / events[town], abs=0.00501)


def test_18_the_demo_month_has_no_integrity_signal(con):
    assert answer(con, 18) == []  # the planted month's answer: tests/test_integrity_signals.py
