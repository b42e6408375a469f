"""Checks of an export against the other districts of its deployment: a worker, grid or org unit
that another district has published for the month belongs to that district, not to this one.

Each district's export is validated on its own, so nothing else would see a grid worker listed by
two districts: both months would publish, and the city's totals would count the worker twice. The
other districts' published warehouses are only read (their raw tables of the month, attached
read-only); a district that has not published the month yet is checked when it does, against this
one.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gridpulse import config
from gridpulse.problems import MAX_ROWS_PER_CHECK, Problem, unlisted
from gridpulse.validate.export import ExportData

CHECK = "deployment"


@dataclass(frozen=True)
class Other:
    code: str
    name: str
    warehouse: Path


# (table, column, kind of id it holds, how the message names it): what another district may own
CHECKED = [("grid_workers", "worker_id", "worker", "网格员编号"), ("grid_workers", "grid_id", "org", "网格编码"),
           ("org_units", "org_id", "org", "机构编码")]
# what each kind of id is, in another district's published month
OWNED_SQL = {"worker": "SELECT DISTINCT worker_id FROM {alias}.raw.grid_workers WHERE period = $period",
             "org": "SELECT DISTINCT org_id FROM {alias}.raw.org_units WHERE period = $period AND org_level <> 'district'"}


def other_districts() -> list[Other]:
    """The deployment's other districts with a published warehouse (none outside a deployment)."""
    code = os.environ.get("GRIDPULSE_DISTRICT")
    if not code:
        return []
    deployment = config.deployment()
    found = [Other(d.code, d.name, deployment.paths_of(d.code).warehouse) for d in deployment.districts if d.code != code]
    return [other for other in found if other.warehouse.exists()]


def _owned(con, others: list[Other], period: str) -> None:
    """A temporary table of every id the other districts published for the month, and whose it is."""
    con.execute("CREATE OR REPLACE TEMP TABLE other_districts_ids (kind VARCHAR, id VARCHAR, district_code VARCHAR, district_name VARCHAR)")
    for n, other in enumerate(others):
        alias = f"other_district_{n}"
        con.execute(f"ATTACH '{other.warehouse}' AS {alias} (READ_ONLY)")
        try:
            for kind, sql in OWNED_SQL.items():
                # a warehouse without raw tables yet holds nothing of the month
                with contextlib.suppress(duckdb.CatalogException):
                    con.execute(f"INSERT INTO other_districts_ids SELECT '{kind}', CAST(id AS VARCHAR), $code, $name "
                                f"FROM ({sql.format(alias=alias)}) AS owned(id)",
                                {"code": other.code, "name": other.name, "period": period})
        finally:
            con.execute(f"DETACH {alias}")


def _problems(con, data: ExportData, table: str, column: str, kind: str, label: str) -> list[Problem]:
    file, header = data.files[table], data.headers[table].get(column)
    where = f'FROM "{table}" AS mine JOIN other_districts_ids AS theirs ON theirs.kind = $kind AND theirs.id = CAST(mine."{column}" AS VARCHAR)'
    found = con.execute(f'SELECT mine.source_row, CAST(mine."{column}" AS VARCHAR), theirs.district_code, theirs.district_name {where} '
                        "ORDER BY mine.source_row LIMIT $limit", {"kind": kind, "limit": MAX_ROWS_PER_CHECK + 1}).fetchall()
    problems = [Problem(file, f"{label}「{value}」属于同一部署的 {name}（{code}）：{name} 已发布的 {data.period} 数据中有它。"
                              f"同一{'网格员' if kind == 'worker' else '单位'}不能在两个区县考核（全市合计会重复计算）；"
                              "请核对导出范围后重新导出",
                        row=int(row), column=column, header=header, value=value, check=CHECK)
                for row, value, code, name in found[:MAX_ROWS_PER_CHECK]]
    if len(found) > MAX_ROWS_PER_CHECK:
        total = con.execute(f"SELECT count(*) {where}", {"kind": kind}).fetchone()[0]
        problems += unlisted(file, total - MAX_ROWS_PER_CHECK, column, header, CHECK)
    return problems


def deployment_problems(data: ExportData) -> list[Problem]:
    others = other_districts()
    checked = [entry for entry in CHECKED if entry[0] in data.readable]
    if not others or not checked:
        return []
    with data.connect() as con:
        _owned(con, others, data.period)
        return [problem for entry in checked for problem in _problems(con, data, *entry)]
