"""The analysts' tools: `make sql` opens the published warehouse read-only (a write is refused),
`make docs` builds dbt's docs site and the GX data docs, and every mart column carries a Chinese
label and an English description in the dbt YAML, with exposures for the bulletin and workbook."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import duckdb
import pytest
import yaml

from gridpulse.catalogue import CATALOGUE, description_problems, mart_models, render

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


@pytest.fixture(scope="module")
def made_docs(two_month_warehouse, tmp_path_factory):
    """`make docs` on the two months' warehouse, run once for the tests that read the sites (what
    it printed, and the output folder the sites are in)."""
    output = tmp_path_factory.mktemp("docs-output")
    return make("docs", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse), "GRIDPULSE_OUTPUT_DIR": str(output)}), output


def test_make_docs_builds_dbt_and_gx_sites(made_docs, two_month_warehouse):
    done, output = made_docs
    assert done.returncode == 0, done.stdout + done.stderr
    dbt_site, gx_site = output / "docs" / "dbt", output / "docs" / "gx"
    assert (dbt_site / "index.html").stat().st_size > 10_000 and (dbt_site / "static_index.html").exists()
    catalog = json.loads((dbt_site / "catalog.json").read_text(encoding="utf-8"))
    assert {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"} == _mart_names(two_month_warehouse)
    manifest = json.loads((dbt_site / "manifest.json").read_text(encoding="utf-8"))
    assert {e["name"] for e in manifest["exposures"].values()} == {"bulletin", "ranking_workbook"}
    gx_index = (gx_site / "index.html").read_text(encoding="utf-8")
    assert "export.events" in gx_index and (gx_site / "expectations").is_dir()
    assert f"{dbt_site / 'static_index.html'}" in done.stdout  # the page to open is the one named
    overview = manifest["docs"]["doc.gridpulse.__overview__"]["block_contents"]
    assert "Where to start" in overview and "Welcome!" not in overview


@pytest.mark.external
def test_the_docs_entry_page_renders_from_a_file_in_headless_chromium(made_docs, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): the browser test did not run")
    done, output = made_docs
    assert done.returncode == 0, done.stdout + done.stderr
    page = (output / "docs" / "dbt" / "static_index.html").as_uri()
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=20000", "--dump-dom", page], capture_output=True, text=True, timeout=180).stdout
    assert "Where to start" in dom and "rpt_grid_agency_transfers_monthly" in dom


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


def test_every_mart_column_description_is_a_whole_sentence():
    assert description_problems(mart_models()) == []


def test_the_description_check_catches_a_description_cut_at_a_comma():
    # the text as it was before this check: "Of them, valid (有效事项)." unquoted
    cut = yaml.safe_load("""
models:
- name: m
  columns:
  - name: valid_events
    description: Of them
    meta:
      label_zh: 有效事件数
    valid (有效事项).: null
  - name: empty
    description: ''
""")
    assert description_problems(cut["models"]) == [
        "m.valid_events: description ends mid-sentence: 'Of them'",
        "m.valid_events: stray key 'valid (有效事项).'",
        "m.empty: no description"]


def test_column_catalogue_is_generated_from_the_yaml(two_month_warehouse):
    assert CATALOGUE.read_text(encoding="utf-8") == render(mart_models()), "run python -m gridpulse.catalogue"
    text = CATALOGUE.read_text(encoding="utf-8")
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        built = con.execute("SELECT DISTINCT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts'").fetchall()
        indicators = con.execute("SELECT DISTINCT indicator_id FROM marts.fct_indicator_monthly").fetchall()
    assert all(f"<a id=\"{table}\"></a>" in text and f"| `{column}` |" in text for table, column in built)
    assert all(f"| `{indicator}` |" in text for (indicator,) in indicators)


def test_make_sql_shows_whole_results_and_exports_only_under_output_exports(two_month_warehouse, tmp_path):
    output, outside = tmp_path / "output", tmp_path / "outside"
    (output / "exports").mkdir(parents=True)
    outside.mkdir()
    (output / "exports" / "planted.csv").symlink_to(outside / "planted.csv")  # must be replaced, not followed
    done = make("sql", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse), "GRIDPULSE_OUTPUT_DIR": str(output)}, stdin=(
        "SELECT org_id, repeat('长', 300) AS long_text FROM marts.dim_org_unit ORDER BY org_id;\n"
        ".export units.csv\n"
        "SELECT * FROM marts.rpt_township_activity_monthly WHERE period = '2022-11' ORDER BY township_id;\n"
        ".export townships.xlsx\n"
        f".export {outside / 'absolute.csv'}\n"
        ".export ../escaped.csv\n"
        ".export units.parquet\n"
        ".export planted.csv\n"
        ".mode vertical\n"
        "SELECT * FROM marts.rpt_headline_monthly WHERE period = '2022-11';\n"))
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        units = con.execute("SELECT count(*) FROM marts.dim_org_unit").fetchall()[0][0]
        township_columns = [c for (c,) in con.execute("""SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'marts' AND table_name = 'rpt_township_activity_monthly' ORDER BY ordinal_position""").fetchall()]
    assert units > 200  # beyond the old cap of 200 rows
    assert "长" * 300 in done.stdout and done.stdout.count("长" * 300) == units  # every row, every character
    assert all(f" {column} " in done.stdout for column in township_columns)  # no column hidden
    assert "visit_rate" in done.stdout and "| 2022-11" in done.stdout  # the vertical display
    assert sum(line.startswith("Error:") for line in done.stdout.splitlines()) == 3, done.stdout
    assert done.returncode != 0  # the refused exports fail a piped run
    exported = (output / "exports" / "units.csv").read_text(encoding="utf-8-sig").splitlines()
    assert exported[0] == "org_id,long_text" and len(exported) == units + 1
    from openpyxl import load_workbook
    sheet = load_workbook(output / "exports" / "townships.xlsx").active
    assert [c.value for c in sheet[1]] == township_columns and sheet.max_row == 18  # 17 townships
    assert not (output / "exports" / "planted.csv").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == [] and not (output / "escaped.csv").exists()
