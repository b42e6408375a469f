"""The benchmark compares the pipeline with a plain pandas program (benchmarks/pandas_reference.py).
The comparison is honest only if both compute the same thing: for the demo month, the pandas
program's ten township indicators of seed 000 equal the marts' numerators and denominators."""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gridpulse import config

from conftest import PERIOD, PROJECT_DIR, point_at

sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
from pandas_reference import township_indicators, township_scheme  # noqa: E402


def _marts(warehouse: Path) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("""
            SELECT org_id AS township_id, indicator_id, numerator, denominator, value
            FROM marts.fct_indicator_monthly
            WHERE period = ? AND scheme_id = ? AND org_level = 'township'""", [PERIOD, township_scheme(PERIOD)["scheme_id"]]).df()
    finally:
        con.close()


def test_pandas_reference_gives_the_marts_indicators(seed_months, demo_month, monkeypatch):
    point_at(monkeypatch, seed_months)  # the demo month, published once a session
    marts = _marts(config.paths().warehouse)
    reference = township_indicators(demo_month, PERIOD)

    assert len(marts) == 170  # 17 townships x 10 items
    assert sorted(reference.indicator_id.unique()) == sorted(marts.indicator_id.unique())
    both = marts.merge(reference, on=["township_id", "indicator_id"], how="outer", suffixes=("_marts", "_pandas"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    for part in ("numerator", "denominator", "value"):
        assert both[f"{part}_pandas"].to_numpy() == pytest.approx(both[f"{part}_marts"].to_numpy(), rel=1e-12, nan_ok=True), part
