"""The rollup warehouse: every district's published marts in one DuckDB file, for SQL across
districts and for the rollup's tables.

Each mart is the union of the districts' marts: rows of a mart that carries `district_id` stay
apart by it; the dimensions that districts share (a scheme's items, the event categories) keep
one row each. Built beside the published file and swapped in by one rename (rollup.publish), like
a district's."""
from __future__ import annotations

from pathlib import Path

import duckdb

from gridpulse.config import Deployment
from gridpulse.rollup.shared_workers import shared_worker_months

RANKING_SQL = Path(__file__).with_name("township_ranking.sql")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def published_warehouses(deployment: Deployment) -> dict[str, Path]:
    """District code -> its published warehouse, for the districts that have published any month."""
    found = {d.code: deployment.paths_of(d.code).warehouse for d in deployment.districts}
    return {code: path for code, path in found.items() if path.exists()}


def _marts_of(con, alias: str) -> dict[str, set[str]]:
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_catalog = ? AND table_schema = 'marts'", [alias]).fetchall()
    marts: dict[str, set[str]] = {}
    for table, column in rows:
        marts.setdefault(table, set()).add(column)
    return marts


def _union(aliases: list[str], mart: str, by_district: bool, left_out: dict[str, list[str]], monthly: bool) -> str:
    """The districts' rows of a mart, without the months a district is left out of (a monthly mart)."""
    keep = " UNION ALL BY NAME " if by_district else " UNION BY NAME "

    def rows(alias: str) -> str:
        periods = left_out.get(alias) if monthly else None
        where = f" WHERE period NOT IN ({', '.join(repr(p) for p in periods)})" if periods else ""
        return f"SELECT * FROM {alias}.marts.{_quoted(mart)}{where}"

    return keep.join(rows(alias) for alias in aliases)


def build_rollup_warehouse(deployment: Deployment) -> Path:
    """A new rollup warehouse from the districts' published warehouses, beside the published one:
    the caller swaps it in once the rollup's outputs are reconciled against it."""
    target = deployment.rollup_warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.stem}.building{target.suffix}")
    building.unlink(missing_ok=True)
    sources = published_warehouses(deployment)
    shared = shared_worker_months(deployment)  # a worker two districts hold is counted once: in the first's month
    con = duckdb.connect(str(building))
    try:
        aliases, left_out = [], {}
        for n, (code, path) in enumerate(sources.items()):
            con.execute(f"ATTACH '{path}' AS d{n} (READ_ONLY)")
            aliases.append(f"d{n}")
            left_out[f"d{n}"] = sorted(period for (district, period) in shared if district == code)
        con.execute("CREATE SCHEMA marts")
        marts = _common_marts(con, aliases)
        for mart, columns in sorted(marts.items()):
            union = _union(aliases, mart, "district_id" in columns, left_out, "period" in columns)
            con.execute(f"CREATE TABLE marts.{_quoted(mart)} AS {union}")
        con.execute("CREATE SCHEMA rollup")
        if marts:
            con.execute(RANKING_SQL.read_text(encoding="utf-8"))
        for alias in aliases:
            con.execute(f"DETACH {alias}")
    finally:
        con.close()
    return building


def _common_marts(con, aliases: list[str]) -> dict[str, set[str]]:
    """The marts every district's warehouse has (all of them, unless a district is on an older build)."""
    found = [_marts_of(con, alias) for alias in aliases]
    if not found:
        return {}
    names = set.intersection(*(set(marts) for marts in found))
    return {name: set.union(*(marts[name] for marts in found)) for name in names}
