"""An analyst's loop, run as a process of its own: open the published warehouse read-only, count
the rows of each month in the marts, close, again, until told to stop. One JSON line per look:
{"state": {mart: {period: rows}}} or {"error": "..."}."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

MARTS = ("rpt_ranking_monthly", "fct_score_monthly", "fct_indicator_monthly", "rpt_headline_monthly")


def look(warehouse: str) -> dict:
    con = duckdb.connect(warehouse, read_only=True)
    try:
        return {mart: dict(con.execute(f"SELECT period, count(*) FROM marts.{mart} GROUP BY period ORDER BY period").fetchall())
                for mart in MARTS}
    finally:
        con.close()


def main(warehouse: str, stop: str) -> None:
    while not Path(stop).exists():
        try:
            line = {"state": look(warehouse)}
        except Exception as exc:  # every error is the finding
            line = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(line, sort_keys=True), flush=True)
        time.sleep(0.02)


if __name__ == "__main__":
    main(*sys.argv[1:3])
