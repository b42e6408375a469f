"""Grid workers that two districts of a deployment both published for one month.

Validation refuses an export that lists a worker another district has published for the month
(validate/deployment.py), but two districts validated at the same time, or published before that
check, can both hold one worker. The rollup's totals are sums of the districts' rows, so such a
worker would be counted twice: the district that published the month later is left out of the
rollup for that month (its totals and its units in the ranking), and the rollup says why. The
district that published first keeps the month, as validation would have decided.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from gridpulse.config import Deployment


@dataclass(frozen=True)
class SharedWorkers:
    code: str           # the district left out of the month's rollup
    period: str
    other_code: str     # the district that published the month first
    other_name: str
    workers: int        # workers both list

    @property
    def reason_zh(self) -> str:
        return f"与{self.other_name}有 {self.workers} 名相同的网格员，为免重复计算未纳入汇总"


def _published_at(deployment: Deployment, code: str, period: str) -> float:
    """When the district published the month: its output folder is swapped in last."""
    folder = deployment.paths_of(code).output / period
    return folder.stat().st_mtime if folder.exists() else float("inf")


def _worker_months(deployment: Deployment, con) -> list[tuple[str, str, str]]:
    """(district code, period, worker id) of every published month of every district."""
    rows = []
    for n, district in enumerate(deployment.districts):
        warehouse = deployment.paths_of(district.code).warehouse
        if not warehouse.exists():
            continue
        alias = f"district_{n}"
        con.execute(f"ATTACH '{warehouse}' AS {alias} (READ_ONLY)")
        try:
            published = {p for (p,) in con.execute(f"SELECT DISTINCT period FROM {alias}.marts.rpt_ranking_monthly").fetchall()}
            rows += [(district.code, period, worker) for period, worker in con.execute(
                f"SELECT DISTINCT period, worker_id FROM {alias}.raw.grid_workers").fetchall() if period in published]
        except duckdb.CatalogException:
            pass  # nothing published yet
        finally:
            con.execute(f"DETACH {alias}")
    return rows


def shared_worker_months(deployment: Deployment) -> dict[tuple[str, str], SharedWorkers]:
    """(district code, period) -> why the district's month is left out of the rollup."""
    con = duckdb.connect()
    try:
        rows = _worker_months(deployment, con)
    finally:
        con.close()
    holders: dict[tuple[str, str], set[str]] = {}
    for code, period, worker in rows:
        holders.setdefault((period, worker), set()).add(code)
    names = {d.code: d.name for d in deployment.districts}
    pairs: dict[tuple[str, str, str], int] = {}  # (later, earlier, period) -> workers
    for (period, _worker), codes in holders.items():
        ordered = sorted(codes, key=lambda code: (_published_at(deployment, code, period), code))
        for later in ordered[1:]:
            pairs[(later, ordered[0], period)] = pairs.get((later, ordered[0], period), 0) + 1
    left_out: dict[tuple[str, str], SharedWorkers] = {}
    for (later, earlier, period), workers in sorted(pairs.items()):
        left_out.setdefault((later, period), SharedWorkers(later, period, earlier, names[earlier], workers))
    return left_out
