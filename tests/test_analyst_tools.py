"""The analysts' tools: `make sql` opens the published warehouse read-only (a write is refused),
`make docs` builds dbt's docs site and a page of the export's suites that works offline, and every mart column carries a Chinese
label and an English description in the dbt YAML, with exposures for the bulletin and workbook."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

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
    dbt_site = output / "docs" / "dbt"
    assert (dbt_site / "index.html").stat().st_size > 10_000 and (dbt_site / "static_index.html").exists()
    catalog = json.loads((dbt_site / "catalog.json").read_text(encoding="utf-8"))
    assert {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"} == _mart_names(two_month_warehouse)
    manifest = json.loads((dbt_site / "manifest.json").read_text(encoding="utf-8"))
    assert {e["name"] for e in manifest["exposures"].values()} == {"bulletin", "ranking_workbook"}
    assert f"{dbt_site / 'static_index.html'}" in done.stdout  # the page to open is the one named
    overview = manifest["docs"]["doc.gridpulse.__overview__"]["block_contents"]
    assert "Where to start" in overview and "Welcome!" not in overview


def test_the_suites_page_needs_nothing_from_the_internet(made_docs):
    """GX's own data docs load Bootstrap and jQuery from CDNs (offline: unstyled, the list of suites
    empty); make docs writes a page of its own instead, and no GX site to be opened by mistake."""
    from gridpulse.config import EXPECTATIONS_DIR

    done, output = made_docs
    page = (output / "docs" / "suites.html").read_text(encoding="utf-8")
    suites = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXPECTATIONS_DIR.glob("*.json"))]
    assert suites and all(f'<h2 id="{suite["name"]}">' in page for suite in suites)
    assert page.count("<tr><td>") == sum(len(suite["expectations"]) for suite in suites)
    assert "重复记录" in page  # the problem each expectation reports, in the staff's words
    assert re.findall(r"(?:src|href)=\"(?!#)[^\"]*\"|url\(|<script|<link", page) == []  # nothing fetched, from anywhere
    assert str(output / "docs" / "suites.html") in done.stdout and not (output / "docs" / "gx").exists()


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


def test_make_sql_runs_every_statement_of_a_line(two_month_warehouse):
    done = make("sql", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse)},
                stdin="SELECT 1 AS first_answer; SELECT 2 AS second_answer;\nSELECT ';' AS third_answer; SELEC 4;\n")
    assert "first_answer" in done.stdout and "second_answer" in done.stdout and "third_answer" in done.stdout
    assert sum(line.startswith("Error:") for line in done.stdout.splitlines()) == 1, done.stdout
    assert done.returncode != 0  # piped: the misspelt statement fails the run


def test_make_sql_on_a_file_held_read_write_says_so_in_one_line(two_month_warehouse, tmp_path):
    held = tmp_path / "gridpulse.duckdb"
    shutil.copyfile(two_month_warehouse, held)
    with duckdb.connect(str(held)):  # read-write, as a BI tool or notebook left open
        done = make("sql", {"GRIDPULSE_WAREHOUSE": str(held)}, stdin="SELECT 1;\n")
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = [said for said in done.stderr.strip().splitlines() if not said.startswith("make:")]
    assert "busy" in line and f"process {os.getpid()}" in line, line
    assert "Error 4" in done.stderr  # the shell's own status for a busy file, as make reports it


def _publish_next_month(published, scratch) -> None:
    """What the monthly run does to an open session: a new file with one more month, renamed over
    the published one."""
    newer = scratch / "building.duckdb"
    shutil.copyfile(published, newer)
    with duckdb.connect(str(newer)) as con:
        con.execute("INSERT INTO marts.rpt_ranking_monthly SELECT * REPLACE ('2022-12' AS period) "
                    "FROM marts.rpt_ranking_monthly WHERE period = '2022-11'")
    os.replace(newer, published)


def test_an_open_session_learns_of_a_newer_month_and_reconnects(two_month_warehouse, tmp_path):
    published = tmp_path / "warehouse" / "gridpulse.duckdb"
    published.parent.mkdir()
    shutil.copyfile(two_month_warehouse, published)
    query = "SELECT max(period) AS latest_period FROM marts.rpt_ranking_monthly;\n"
    shell = subprocess.Popen([sys.executable, "-m", "gridpulse", "sql"], cwd=PROJECT_DIR, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=os.environ | {"GRIDPULSE_WAREHOUSE": str(published), "PYTHONUNBUFFERED": "1"})
    try:
        shell.stdin.write(query)
        shell.stdin.flush()
        seen = ""
        while "2022-11" not in seen:  # the session has opened the file and answered
            line = shell.stdout.readline()
            assert line, shell.stderr.read()
            seen += line
        _publish_next_month(published, tmp_path)
        shell.stdin.write(query + ".reconnect\n" + query)
        shell.stdin.close()
        after = shell.stdout.read()
        assert shell.wait(60) == 0, after + shell.stderr.read()
    finally:
        shell.kill()
    notice, old = after.index("Note: a newer warehouse"), after.index("│ 2022-11")
    reconnected, new = after.index("Reconnected"), after.index("│ 2022-12")
    assert notice < old < reconnected < new, after  # told, still the month it opened, then the new one
    assert "newer month published: 2022-12 (was 2022-11)" in after


def test_each_published_month_writes_the_marts_as_parquet_that_pyarrow_alone_reads(two_month_warehouse):
    """pyarrow, in a process that never imports DuckDB, reads every mart with its rows and columns."""
    folder = two_month_warehouse.parent / "parquet"
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        expected = {table: {"rows": con.execute(f"SELECT count(*) FROM marts.{table}").fetchall()[0][0],
                            "columns": [d[0] for d in con.execute(f"SELECT * FROM marts.{table} LIMIT 0").description]}
                    for table in sorted(_mart_names(two_month_warehouse))}
        ranking = con.execute("SELECT period, org_name, total_score, rank FROM marts.rpt_ranking_monthly "
                              "ORDER BY period, org_name").fetchall()
    script = """
import json, sys
import pyarrow.parquet as pq
from pathlib import Path
found = {p.stem: {"rows": pq.read_metadata(p).num_rows, "columns": pq.read_schema(p).names}
         for p in sorted(Path(sys.argv[1]).glob("*.parquet"))}
table = pq.read_table(Path(sys.argv[1]) / "rpt_ranking_monthly.parquet", columns=["period", "org_name", "total_score", "rank"])
rows = sorted((r["period"], r["org_name"], str(r["total_score"]), r["rank"]) for r in table.to_pylist())
assert "duckdb" not in sys.modules
print(json.dumps({"found": found, "ranking": rows}, ensure_ascii=False))
"""
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True)
    read = json.loads(done.stdout)
    assert read["found"] == expected
    assert read["ranking"] == [[p, n, str(s), r] for p, n, s, r in ranking]
    assert {"2022-10", "2022-11"} == {row[0] for row in read["ranking"]}  # every month, not only the last


def _duckdb_1(folder) -> str:
    """A DuckDB 1.x client installed from PyPI into a throwaway folder (the project's pin is 2.0)."""
    target = folder / "duckdb1"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--target", str(target), "duckdb>=1.1,<2"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"no DuckDB 1.x client could be installed from PyPI: {done.stderr.strip()[-300:]}")
    return str(target)


@pytest.mark.external
def test_a_duckdb_1_client_answers_the_analysts_questions_from_the_parquet_marts(two_month_warehouse, tmp_path):
    from test_analyst_queries import questions  # the worked questions, as docs/analysts.md prints them

    folder = two_month_warehouse.parent / "parquet"
    question = questions()[1]
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        expected = con.execute(question).fetchall()
    script = """
import json, sys
import duckdb
assert duckdb.__version__.startswith("1."), duckdb.__version__
try:
    duckdb.connect(sys.argv[2], read_only=True)
    opened = "opened"
except duckdb.Error as error:
    opened = str(error)
con = duckdb.connect()
con.execute(open(sys.argv[1] + "/marts.sql", encoding="utf-8").read())
print(json.dumps({"version": duckdb.__version__, "opened": opened,
                  "answer": [[str(v) for v in row] for row in con.execute(sys.argv[3]).fetchall()]}, ensure_ascii=False))
"""
    done = subprocess.run([sys.executable, "-c", script, str(folder), str(two_month_warehouse), question],
                          env=os.environ | {"PYTHONPATH": _duckdb_1(tmp_path)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert "version number" in read["opened"]  # the warehouse file itself is out of its reach, as documented
    assert read["answer"] == [[str(v) for v in row] for row in expected] and expected


def test_the_table_names_the_dbt_docs_show_are_the_ones_make_sql_accepts(made_docs, two_month_warehouse):
    done, output = made_docs
    manifest = json.loads((output / "docs" / "dbt" / "manifest.json").read_text(encoding="utf-8"))
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    shown = [f"{n['database']}.{n['schema']}.{n['alias']}" for n in marts]  # the docs' "Relation" line
    assert marts and all(name.startswith("gridpulse.marts.") for name in shown), shown[:3]
    sql = "".join(f"SELECT count(*) AS rows_of_{n['alias']} FROM {name};\n" for n, name in zip(marts, shown))
    sql += "".join(f"SELECT count(*) FROM {n['relation_name']};\n" for n in marts)  # as quoted in the compiled SQL
    answered = make("sql", {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse)}, stdin=sql)
    assert answered.returncode == 0 and "Error" not in answered.stdout, answered.stdout[-2000:]
    assert all(f"rows_of_{n['alias']}" in answered.stdout for n in marts)
