"""Whose warehouse this is: a warehouse records the district (and deployment) it belongs to, and a
run of another district refuses to write into it.

Two settings files that leave `paths` as they are point two districts at one data/ folder; the
second district's month would then replace the first's schemes and mix two districts in one set of
marts. The record (meta.warehouse_owner, one row) is written into the building copy when a month is
loaded, so it is published with the month; a warehouse from before the record is adopted by the
first district that runs on it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gridpulse import config

OWNER_TABLE = "meta.warehouse_owner"
COLUMNS = ("district_code", "district_name", "deployment_code", "deployment_name")


@dataclass(frozen=True)
class Owner:
    district_code: str
    district_name: str
    deployment_code: str | None = None
    deployment_name: str | None = None

    def describe(self) -> str:
        where = f"，{self.deployment_name}（{self.deployment_code}）部署" if self.deployment_code else ""
        return f"{self.district_name}（{self.district_code}）{where}"


class WarehouseOfAnotherDistrict(RuntimeError):
    """The run's district is not the one the warehouse belongs to."""


def running() -> Owner:
    """The district this process runs as: its settings' district and, in a deployment, that deployment."""
    district = config.settings()["district"]
    owner = Owner(str(district["code"]), str(district["name"]))
    if os.environ.get("GRIDPULSE_DISTRICT"):
        deployment = config.deployment()
        owner = Owner(owner.district_code, owner.district_name, deployment.code, deployment.name)
    return owner


def recorded(con: duckdb.DuckDBPyConnection) -> Owner | None:
    """The owner a warehouse records, or None for one without the record (older, or new)."""
    found = con.execute("SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = 'meta' AND table_name = 'warehouse_owner'").fetchone()[0]
    if not found:
        return None
    row = con.execute(f"SELECT {', '.join(COLUMNS)} FROM {OWNER_TABLE} LIMIT 1").fetchone()
    return Owner(*row) if row else None


def _refusal(path: Path, owner: Owner, run: Owner) -> WarehouseOfAnotherDistrict:
    return WarehouseOfAnotherDistrict(
        f"数据仓库 {path} 属于 {owner.describe()}，本次运行的配置是 {run.describe()}：拒绝写入，"
        f"该仓库中已发布的月份保持不变。每个区县须有自己的数据目录（设置文件的 paths，或 GRIDPULSE_DATA_DIR）。"
        f" (the warehouse {path} belongs to district {owner.district_code} {owner.district_name}"
        f"{f' of deployment {owner.deployment_code}' if owner.deployment_code else ''}; this run is district "
        f"{run.district_code} {run.district_name}{f' of deployment {run.deployment_code}' if run.deployment_code else ''}: "
        "give each district its own data folder)")


def _belongs(owner: Owner, run: Owner) -> bool:
    if owner.district_code != run.district_code:
        return False
    return not (owner.deployment_code and run.deployment_code and owner.deployment_code != run.deployment_code)


def check(path: Path) -> None:
    """Refuse, before anything is written, a run of another district than the warehouse records.
    Only reads: a missing file or one without the record is the running district's to adopt."""
    if not path.exists():
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        owner = recorded(con)
    finally:
        con.close()
    run = running()
    if owner and not _belongs(owner, run):
        raise _refusal(path, owner, run)


def claim(con: duckdb.DuckDBPyConnection, path: Path) -> Owner:
    """Within the load's transaction: refuse another district's warehouse, else record the running
    district if the warehouse has no record yet (a new warehouse, or one from before the record)."""
    owner, run = recorded(con), running()
    if owner:
        if not _belongs(owner, run):
            raise _refusal(path, owner, run)
        return owner
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE TABLE IF NOT EXISTS {OWNER_TABLE} (district_code VARCHAR, district_name VARCHAR, "
                "deployment_code VARCHAR, deployment_name VARCHAR, recorded_at TIMESTAMP)")
    con.execute(f"DELETE FROM {OWNER_TABLE}")
    con.execute(f"INSERT INTO {OWNER_TABLE} VALUES (?, ?, ?, ?, now())",
                [run.district_code, run.district_name, run.deployment_code, run.deployment_name])
    return run
