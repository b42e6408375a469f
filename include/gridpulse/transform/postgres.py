"""The same dbt project on PostgreSQL: copy the raw schema of a DuckDB warehouse to a PostgreSQL
database and run `dbt build --target postgres` there (see docs/scaling.md).

The raw rows travel as CSV through COPY, so no DuckDB extension (none can be downloaded offline)
and no row-by-row INSERT is needed.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from gridpulse.transform.dbt import run_dbt

# DuckDB's column types as PostgreSQL spells them; anything else is refused rather than guessed.
PG_TYPES = {
    "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint", "HUGEINT": "numeric",
    "DOUBLE": "double precision", "FLOAT": "real", "BOOLEAN": "boolean", "VARCHAR": "text",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def pg_env(dsn: dict[str, str]) -> dict[str, str]:
    """The variables the postgres target of dbt_project/profiles.yml reads."""
    return {f"GRIDPULSE_PG_{key.upper()}": str(value) for key, value in dsn.items()}


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()


def _pg_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    if duck_type not in PG_TYPES:
        raise ValueError(f"no PostgreSQL type for DuckDB type {duck_type}")
    return PG_TYPES[duck_type]


def copy_raw(warehouse: Path, pg) -> list[str]:
    """Replace schema raw of the PostgreSQL connection `pg` with the warehouse's raw tables."""
    duck = duckdb.connect(str(warehouse), read_only=True)
    tables = [t for (t,) in duck.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1").fetchall()]
    with tempfile.TemporaryDirectory() as scratch, pg.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS raw CASCADE; CREATE SCHEMA raw")
        for table in tables:
            columns = _columns(duck, "raw", table)
            cur.execute(f'CREATE TABLE raw."{table}" ('
                        + ", ".join(f'"{name}" {_pg_type(kind)}' for name, kind in columns) + ")")
            # NULL is written unquoted-empty and '' quoted, which is how PostgreSQL's CSV reads them
            csv = Path(scratch) / f"{table}.csv"
            duck.execute(f"COPY raw.\"{table}\" TO '{csv}' (FORMAT csv, HEADER false, FORCE_QUOTE *)")
            with csv.open(encoding="utf-8") as rows:
                cur.copy_expert(f'COPY raw."{table}" FROM STDIN WITH (FORMAT csv)', rows)
    pg.commit()
    duck.close()
    return tables


def build(warehouse: Path, dsn: dict[str, str]) -> str:
    """dbt build of the project on PostgreSQL; `warehouse` only names dbt's scratch folders."""
    saved = dict(os.environ)
    os.environ.update(pg_env(dsn))
    try:
        return run_dbt("build", "--target", "postgres", warehouse=warehouse)
    finally:  # the DuckDB pipeline in the same process must not inherit the server's settings
        os.environ.clear()
        os.environ.update(saved)
