"""The marts as Parquet files beside the warehouse, rewritten with each published month, for the
tools that cannot open the DuckDB file: a DuckDB 2.0 file has storage version 69, which DuckDB 1.x
(what many BI tools and notebooks bundle) refuses, while any Parquet reader (pyarrow, pandas,
DuckDB 1.x, Spark, Power BI, Superset through DuckDB or Trino) reads these.

data/warehouse/parquet/<mart>.parquet holds every row of the mart, every month, ordered by its
grain (the columns its YAML tests as unique_combination; all its columns where none is declared),
so the same marts give the same rows in the same order (sorting by every column cost a province
month seconds more than the key that already fixes the order). Each file is written beside its
place and renamed over it: a reader sees last month's file or this month's, never half of one.
Beside them, marts.sql creates a view marts.<mart> over each file, so a DuckDB 1.x session that
runs it answers the queries of docs/analysts.md as written.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from gridpulse import config
from gridpulse.catalogue import mart_models


def parquet_folder() -> Path:
    return config.paths().warehouse.parent / "parquet"


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]


def mart_grains() -> dict[str, list[str]]:
    """Each mart's grain, from the unique_combination test in its YAML."""
    grains = {}
    for model in mart_models():
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination" in test:
                spec = test["unique_combination"]
                grains[model["name"]] = (spec.get("arguments") or spec)["columns"]
    return grains


def _order(mart: str, grains: dict[str, list[str]]) -> str:
    return ", ".join(f'"{column}"' for column in grains[mart]) if mart in grains else "ALL"


def export_marts(warehouse: Path, folder: Path | None = None) -> dict[str, Path]:
    """Every mart of `warehouse` to folder/<mart>.parquet; return the files written."""
    folder = folder or parquet_folder()
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts, grains = mart_names(con), mart_grains()
        for mart in marts:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{mart}.", suffix=".parquet")
            os.close(handle)
            try:
                quoted = temporary.replace("'", "''")
                con.execute(f"COPY (SELECT * FROM marts.\"{mart}\" ORDER BY {_order(mart, grains)}) TO '{quoted}' "
                            "(FORMAT parquet, COMPRESSION zstd)")
                os.chmod(temporary, 0o644)  # the marts hold no personal data: as readable as the warehouse
                os.replace(temporary, folder / f"{mart}.parquet")
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            written[mart] = folder / f"{mart}.parquet"
    finally:
        con.close()
    for stale in set(folder.glob("*.parquet")) - set(written.values()):  # a mart since dropped
        stale.unlink()
    _write_views(folder, written)
    return written


def _write_views(folder: Path, written: dict[str, Path]) -> None:
    lines = ["-- The marts as views over the Parquet files beside this one (DuckDB 1.x and later):",
             "-- run it once in a session (`.read marts.sql`, or con.execute(open(...).read())).",
             "CREATE SCHEMA IF NOT EXISTS marts;"]
    for mart, path in written.items():
        quoted = str(path.resolve()).replace("'", "''")
        lines.append(f"CREATE OR REPLACE VIEW marts.\"{mart}\" AS SELECT * FROM read_parquet('{quoted}');")
    temporary = folder / ".marts.sql.partial"
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, folder / "marts.sql")
