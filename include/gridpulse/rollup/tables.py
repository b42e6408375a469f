"""The rollup's rows, read from the rollup warehouse: each published district's headline, and the
units ranked across districts that share a scheme."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from gridpulse.config import CONFIG_DIR, read_yaml

# the first scheme of a district's month carries its headline (the figures are the district's, whatever the scheme)
HEADLINE = """
SELECT * FROM marts.rpt_headline_monthly WHERE period = ?
QUALIFY row_number() OVER (PARTITION BY district_id ORDER BY scheme_id) = 1
ORDER BY district_id
"""
RANKING = """
SELECT ranking.*, district.org_name AS district_name, scheme.scheme_title_zh
FROM marts.rpt_rollup_ranking_monthly AS ranking
INNER JOIN marts.dim_org_unit AS district ON district.org_id = ranking.district_id
INNER JOIN (SELECT scheme_id, arg_max(scheme_title_zh, valid_from) AS scheme_title_zh  -- the latest version's title
            FROM marts.dim_scheme_item GROUP BY scheme_id) AS scheme USING (scheme_id)
WHERE ranking.period = ?
ORDER BY ranking.scheme_id, ranking.rollup_rank, ranking.district_id, ranking.org_id
"""


def rollup_settings() -> dict:
    """include/config/rollup.yml: the figures shown per district, and the rollup's file names."""
    return read_yaml(CONFIG_DIR / "rollup.yml")


@dataclass
class RollupRows:
    period: str
    headline: pd.DataFrame   # one row per published district
    ranking: pd.DataFrame    # marts.rpt_rollup_ranking_monthly with district and scheme names


def read_rollup(warehouse: Path, period: str) -> RollupRows:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts'").fetchone()[0]:
            return RollupRows(period, pd.DataFrame(), pd.DataFrame())  # no district has published yet
        return RollupRows(period, con.execute(HEADLINE, [period]).df(), con.execute(RANKING, [period]).df())
    finally:
        con.close()
