"""Where each district of a deployment stands for a month: published, refused, or not arrived."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from gridpulse.config import Deployment, District
from gridpulse.rollup.shared_workers import shared_worker_months

PUBLISHED, REFUSED, RECEIVED, NOT_ARRIVED = "published", "refused", "received", "not_arrived"
SHARED_WORKERS = "shared_workers"  # published, but left out of the rollup (rollup/shared_workers.py)
STATE_ZH = {PUBLISHED: "已发布", REFUSED: "导出未通过校验，已退回", RECEIVED: "已收到导出，尚未完成考核",
            NOT_ARRIVED: "尚未收到导出"}


@dataclass(frozen=True)
class DistrictMonth:
    district: District
    state: str
    reason_zh: str = ""   # why a published month is left out of the rollup

    @property
    def state_zh(self) -> str:
        return self.reason_zh or STATE_ZH[self.state]


def _published(warehouse, period: str) -> bool:
    if not warehouse.exists():
        return False
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return bool(con.execute("SELECT count(*) FROM marts.rpt_ranking_monthly WHERE period = ?", [period]).fetchone()[0])
    except duckdb.CatalogException:
        return False
    finally:
        con.close()


def _holds(folder) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def district_month(deployment: Deployment, district: District, period: str) -> DistrictMonth:
    """A district's month is published once its warehouse holds the month's ranking; else it was
    refused if its quarantine holds the month; else it is under way (or failed) if its archive
    holds the month; else its export has not arrived."""
    paths = deployment.paths_of(district.code)
    if _published(paths.warehouse, period) and (paths.output / period).is_dir():
        return DistrictMonth(district, PUBLISHED)
    if _holds(paths.quarantine / period):
        return DistrictMonth(district, REFUSED)
    return DistrictMonth(district, RECEIVED if _holds(paths.archive / period) else NOT_ARRIVED)


def month_states(deployment: Deployment, period: str) -> list[DistrictMonth]:
    shared = shared_worker_months(deployment)
    states = [district_month(deployment, district, period) for district in deployment.districts]
    return [DistrictMonth(s.district, SHARED_WORKERS, shared[(s.district.code, period)].reason_zh)
            if s.state == PUBLISHED and (s.district.code, period) in shared else s for s in states]
