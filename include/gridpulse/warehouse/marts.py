"""Read what a month's outputs need from the marts (read-only: analysts may be reading too)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

# mart -> the query of the month's rows (one parameter: the period). Every query has an ORDER BY
# down to the row's key: units a paragraph lists come in this order, and without one DuckDB returns
# rows in whatever order its threads finished, which changed the bulletin from run to run.
MONTH_QUERIES = {
    "ranking": "SELECT * FROM marts.rpt_ranking_monthly WHERE period = ? ORDER BY scheme_id, rank, org_id",
    "scores": "SELECT * FROM marts.fct_score_monthly WHERE period = ? ORDER BY scheme_id, org_id, display_order, item_id",
    "indicators": "SELECT * FROM marts.fct_indicator_monthly WHERE period = ? AND org_level IN ('district', 'township') ORDER BY scheme_id, org_level, org_id, item_id",
    "headline": "SELECT * FROM marts.rpt_headline_monthly WHERE period = ? ORDER BY scheme_id",
    "activity": "SELECT * FROM marts.rpt_township_activity_monthly WHERE period = ? ORDER BY township_id",
    "disputes": "SELECT * FROM marts.rpt_disputes_by_level_monthly WHERE period = ? ORDER BY org_id, found_level",
    "categories": "SELECT * FROM marts.rpt_event_categories_monthly WHERE period = ? ORDER BY org_id, category_rank, category",
    "agencies": "SELECT * FROM marts.rpt_agency_handling_monthly WHERE period = ? ORDER BY agency_id",
    "signals": "SELECT * FROM marts.rpt_integrity_signals_monthly WHERE period = ? ORDER BY display_order, signal_id, unit_id",
}


@dataclass
class MonthMarts:
    period: str
    ranking: pd.DataFrame      # rpt_ranking_monthly for the period, by rank
    scores: pd.DataFrame       # fct_score_monthly for the period
    items: pd.DataFrame        # dim_scheme_item: the versions in force in the period
    headline: dict             # rpt_headline_monthly row of the period (first scheme)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # every MONTH_QUERIES frame
    org_units: pd.DataFrame = field(default_factory=pd.DataFrame)  # dim_org_unit


def read_month(warehouse: Path, period: str) -> MonthMarts:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = {name: con.execute(sql, [period]).df() for name, sql in MONTH_QUERIES.items()}
        # the items of the version of each scheme in force in the month
        items = con.execute("""SELECT * FROM marts.dim_scheme_item
                               WHERE valid_from <= $period AND (valid_to IS NULL OR valid_to >= $period)
                               ORDER BY scheme_id, display_order""", {"period": period}).df()
        org_units = con.execute("SELECT * FROM marts.dim_org_unit ORDER BY org_id").df()
    finally:
        con.close()
    if frames["ranking"].empty:
        raise LookupError(f"marts.rpt_ranking_monthly has no rows for {period}: was the month loaded and built?")
    headline = frames["headline"]
    return MonthMarts(period, frames["ranking"], frames["scores"], items,
                      headline.iloc[0].to_dict() if len(headline) else {}, frames, org_units)
