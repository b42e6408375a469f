"""The analysts' tools: `make sql` opens the published warehouse read-only (a write is refused),
`make docs` builds dbt's docs site and the GX data docs, and every mart column carries a Chinese
label and an English description in the dbt YAML, with exposures for the bulletin and workbook."""
from __future__ import annotations

import json
import os
import subprocess

import duckdb
import pytest

from conftest import PROJECT_DIR


def make(target: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", target], cwd=PROJECT_DIR, input=stdin, capture_output=True, text=True,
                          env=os.environ | env, timeout=300)


def _mart_names(warehouse) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}


def test_make_sql_answers_and_refuses_writes(two_month_warehouse, tmp_path):
    before = two_month_warehouse.read_bytes()
    done = make("sql", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse)}, stdin=(
        "SELECT count(*) AS units FROM marts.rpt_ranking_monthly WHERE period = '2022-11';\n"
        "DROP TABLE marts.rpt_ranking_monthly;\n"
        f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}';\n"
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other;\n"))
    assert done.returncode != 0  # piped statements: a refused one fails the run
    assert "│" in done.stdout and "17" in done.stdout  # the query answered (17 townships)
    assert "read-only" in done.stdout
    assert sum(line.startswith("Error:") for line in done.stdout.splitlines()) == 3
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert two_month_warehouse.read_bytes() == before
    assert "rpt_ranking_monthly" in _mart_names(two_month_warehouse)


def test_make_docs_builds_dbt_and_gx_sites(two_month_warehouse, tmp_path):
    done = make("docs", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse), "GRIDPULSE_OUTPUT_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    dbt_site, gx_site = tmp_path / "docs" / "dbt", tmp_path / "docs" / "gx"
    assert (dbt_site / "index.html").stat().st_size > 10_000 and (dbt_site / "static_index.html").exists()
    catalog = json.loads((dbt_site / "catalog.json").read_text(encoding="utf-8"))
    assert {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"} == _mart_names(two_month_warehouse)
    manifest = json.loads((dbt_site / "manifest.json").read_text(encoding="utf-8"))
    assert {e["name"] for e in manifest["exposures"].values()} == {"bulletin", "ranking_workbook"}
    gx_index = (gx_site / "index.html").read_text(encoding="utf-8")
    assert "export.events" in gx_index and (gx_site / "expectations").is_dir()


@pytest.fixture(scope="module")
def mart_nodes(tmp_path_factory):
    """The marts' YAML as dbt parses it (dbt parse writes the manifest; it reads no warehouse)."""
    from gridpulse.transform.dbt import run_dbt

    folder = tmp_path_factory.mktemp("dbt-parse")
    run_dbt("parse", "--target-path", str(folder), warehouse=folder / "unused.duckdb")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}


def test_every_mart_column_has_a_chinese_label_and_a_description(mart_nodes, two_month_warehouse):
    assert set(mart_nodes) == _mart_names(two_month_warehouse)
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        built = con.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts'").fetchall()
    missing = []
    for table, column in built:
        documented = mart_nodes[table]["columns"].get(column)
        if not documented or not documented["description"] or not documented["meta"].get("label_zh"):
            missing.append(f"{table}.{column}")
    assert missing == []
    assert all(node["meta"].get("label_zh") and node["description"] for node in mart_nodes.values())
