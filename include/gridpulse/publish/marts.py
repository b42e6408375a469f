"""Read what a month's outputs need from the marts (read-only: analysts may be reading too)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd


@dataclass
class MonthMarts:
    period: str
    ranking: pd.DataFrame      # rpt_ranking_monthly for the period, by rank
    scores: pd.DataFrame       # fct_score_monthly for the period
    items: pd.DataFrame        # dim_scheme_item
    headline: dict             # rpt_headline_monthly row of the period


def read_month(warehouse: Path, period: str) -> MonthMarts:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        def query(sql: str) -> pd.DataFrame:
            return con.execute(sql, [period] if "?" in sql else []).df()

        ranking = query("SELECT * FROM marts.rpt_ranking_monthly WHERE period = ? ORDER BY scheme_id, rank, org_id")
        scores = query("SELECT * FROM marts.fct_score_monthly WHERE period = ?")
        items = query("SELECT * FROM marts.dim_scheme_item ORDER BY scheme_id, display_order")
        headline = query("SELECT * FROM marts.rpt_headline_monthly WHERE period = ?")
    finally:
        con.close()
    if ranking.empty:
        raise LookupError(f"marts.rpt_ranking_monthly has no rows for {period}: was the month loaded and built?")
    return MonthMarts(period, ranking, scores, items, headline.iloc[0].to_dict() if len(headline) else {})
