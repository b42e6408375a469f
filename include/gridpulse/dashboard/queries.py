"""What the trends page reads: marts only (rankings, scores, indicators, grid activity, org units),
from the published warehouse opened read-only. The warehouse holds no personal data in any schema;
the page reads the marts schema alone all the same."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

MONTHS_SHOWN = 12


@contextmanager
def read_only(path: Path):
    """A read-only connection for one page: the monthly run's swap of the file is picked up by the
    next page, and a reader never holds the lock a writer needs."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def rows(con, sql: str, params: dict | None = None) -> list[dict]:
    relation = con.execute(sql, params or {})
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row)) for row in relation.fetchall()]


def township_schemes(con) -> list[dict]:
    """Schemes that rank townships, newest month first."""
    return rows(con, """
        SELECT r.scheme_id, any_value(i.scheme_title_zh) AS title, max(r.period) AS latest
        FROM marts.rpt_ranking_monthly AS r
        JOIN marts.dim_scheme_item AS i ON i.scheme_id = r.scheme_id AND i.scored_org_level = 'township'
        GROUP BY r.scheme_id ORDER BY latest DESC, r.scheme_id""")


def months(con, scheme_id: str) -> list[str]:
    """The last twelve months the scheme ranked, oldest first."""
    found = rows(con, """SELECT DISTINCT period FROM marts.rpt_ranking_monthly WHERE scheme_id = $scheme
                         ORDER BY period DESC LIMIT $n""", {"scheme": scheme_id, "n": MONTHS_SHOWN})
    return sorted(r["period"] for r in found)


def district_name(con) -> str | None:
    """The district's own name (区县): the page is titled with it."""
    found = rows(con, "SELECT org_name FROM marts.dim_org_unit WHERE org_level = 'district' ORDER BY org_id LIMIT 1")
    return found[0]["org_name"] if found else None


def headlines(con, scheme_id: str, periods: list[str]) -> dict[str, dict]:
    """{period: the district's headline figures} for the months asked (those that exist)."""
    found = rows(con, """SELECT * FROM marts.rpt_headline_monthly WHERE scheme_id = $scheme AND list_contains($periods, period)""",
                 {"scheme": scheme_id, "periods": periods})
    return {r["period"]: r for r in found}


def rankings(con, scheme_id: str, first: str, last: str) -> list[dict]:
    return rows(con, """
        SELECT period, org_id, org_name, total_score, rank, previous_rank, rank_change FROM marts.rpt_ranking_monthly
        WHERE scheme_id = $scheme AND period BETWEEN $first AND $last ORDER BY period, rank, org_id""",
                {"scheme": scheme_id, "first": first, "last": last})


def points_lost(con, scheme_id: str, first: str, last: str) -> list[dict]:
    """Per township and item, the points lost (weight - score) averaged over the months shown."""
    return rows(con, """
        SELECT s.org_id, s.item_id, any_value(s.label_zh) AS label_zh, min(s.display_order) AS display_order,
               avg(s.weight - s.score) AS points_lost, any_value(s.weight) AS weight
        FROM marts.fct_score_monthly AS s
        WHERE s.scheme_id = $scheme AND s.period BETWEEN $first AND $last AND s.rule <> 'adjustment'
        GROUP BY s.org_id, s.item_id ORDER BY display_order""", {"scheme": scheme_id, "first": first, "last": last})


def indicator_labels(con, scheme_id: str) -> dict[str, str]:
    """{indicator_id: the item's printed header}, in the scorecard's column order."""
    found = rows(con, """SELECT indicator_id, label_zh FROM marts.dim_scheme_item WHERE scheme_id = $scheme
                         QUALIFY valid_from = max(valid_from) OVER ()  -- the latest version's headers
                         ORDER BY display_order""", {"scheme": scheme_id})
    return {r["indicator_id"]: r["label_zh"] for r in found}


def unit(con, org_id: str) -> dict | None:
    found = rows(con, "SELECT org_id, org_name, org_level, township_id FROM marts.dim_org_unit WHERE org_id = $id",
                 {"id": org_id})
    return found[0] if found else None


def indicators_below(con, scheme_id: str, period: str, parent_id: str, level: str) -> list[dict]:
    """The scheme's indicators of a month for each village of a township (level village) or each
    worker-level indicator summed to the grids of a village (level grid)."""
    if level == "village":
        return rows(con, """
            SELECT u.org_id, u.org_name, i.indicator_id, i.value, i.numerator, i.denominator, i.standard
            FROM marts.fct_indicator_monthly AS i JOIN marts.dim_org_unit AS u ON u.org_id = i.org_id
            WHERE i.scheme_id = $scheme AND i.period = $period AND i.org_level = 'village' AND u.parent_org_id = $parent
            ORDER BY u.org_name, i.indicator_id""", {"scheme": scheme_id, "period": period, "parent": parent_id})
    return rows(con, """
        SELECT w.grid_id AS org_id, g.org_name, i.indicator_id,
               sum(i.numerator) / nullif(sum(i.denominator), 0) AS value,
               sum(i.numerator) AS numerator, sum(i.denominator) AS denominator, any_value(i.standard) AS standard
        FROM marts.fct_indicator_monthly AS i
        JOIN marts.dim_grid_worker AS w ON w.worker_id = i.org_id
        JOIN marts.dim_org_unit AS g ON g.org_id = w.grid_id
        WHERE i.scheme_id = $scheme AND i.period = $period AND i.org_level = 'worker' AND w.village_id = $parent
        GROUP BY w.grid_id, g.org_name, i.indicator_id ORDER BY g.org_name, i.indicator_id""",
                {"scheme": scheme_id, "period": period, "parent": parent_id})


def grid_activity(con, period: str, village_id: str) -> list[dict]:
    return rows(con, """
        SELECT grid_id, grid_name, grid_workers, workers_online, events_reported, valid_events, overdue_events,
               worker_hazard_events, transferred_events, timeliness_rate
        FROM marts.rpt_grid_activity_monthly WHERE period = $period AND village_id = $village ORDER BY grid_name""",
                {"period": period, "village": village_id})


def signal_months(con) -> list[dict]:
    """Units flagged per month and integrity signal (数据质量提示), the last 12 months with any."""
    return rows(con, """
        SELECT period, display_order, signal_id, label_zh, count(*) AS units
        FROM marts.rpt_integrity_signals_monthly
        WHERE period IN (SELECT DISTINCT period FROM marts.rpt_ranking_monthly ORDER BY period DESC LIMIT 12)
        GROUP BY period, display_order, signal_id, label_zh ORDER BY display_order, period""", {})


def signals_of_month(con, period: str) -> list[dict]:
    return rows(con, """
        SELECT s.label_zh, s.unit_level, s.unit_id, u.org_name AS unit_name, t.org_name AS township_name,
               s.measured_value, s.reference_value, s.strength, s.records, s.record_ids, s.explanation_zh, s.caveat_zh
        FROM marts.rpt_integrity_signals_monthly AS s
        LEFT JOIN marts.dim_org_unit AS u ON u.org_id = s.unit_id
        LEFT JOIN marts.dim_org_unit AS t ON t.org_id = s.township_id
        WHERE s.period = $period ORDER BY s.display_order, s.strength DESC, s.unit_id""", {"period": period})


def latest_month(con) -> str | None:
    found = rows(con, "SELECT max(period) AS period FROM marts.rpt_ranking_monthly", {})
    return found[0]["period"] if found else None
