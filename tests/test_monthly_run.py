"""End to end: a generated month through the real DAG (Airflow's dag.test), GX, DuckDB, dbt and
the outputs; then the same month again, which must leave the marts exactly as they were."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from gridpulse import config, pipeline

from conftest import MONTH, PERIOD, PROJECT_DIR
from exports import drop_month
from personal_data import files_under, fixed_text, id_numbers, personal_values, scan_files, scan_warehouse

pytestmark = pytest.mark.month

MART_TABLES = ["dim_org_unit", "dim_scheme_item", "fct_indicator_monthly", "fct_score_monthly", "rpt_ranking_monthly", "rpt_headline_monthly"]


def _marts(warehouse) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM marts.{t}").df().sort_values(list(con.execute(f"SELECT * FROM marts.{t}").df().columns)).reset_index(drop=True) for t in MART_TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def finished_run(demo_month, airflow_db, tmp_path_factory):
    """One real DAG run of the demo month (Airflow's dag.test, in a process of its own so that
    everything it prints, task logs included, is kept in a file); module-scoped because a run
    takes half a minute."""
    monkeypatch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("run")
    for key, sub in [("GRIDPULSE_SOURCE_DIR", "landing"), ("GRIDPULSE_DATA_DIR", "data"), ("GRIDPULSE_OUTPUT_DIR", "output")]:
        monkeypatch.setenv(key, str(root / sub))
    drop_month(demo_month, config.paths().source)
    log = root / "airflow.log"  # everything the run printed: Airflow, the tasks, dbt
    done = subprocess.run([sys.executable, "-m", "gridpulse.orchestration.airflow_run", "--period", PERIOD,
                           "--log", str(log)], capture_output=True, text=True)
    yield done, config.paths(), log
    monkeypatch.undo()


def test_dag_run_succeeds(finished_run):
    done, _, log = finished_run
    text = log.read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, done.stdout + done.stderr + text[-3000:]
    terminal = done.stdout.splitlines()
    # the terminal gets a line per step and the results; Airflow's full log goes to the file it names
    assert terminal[0] == f"gridpulse_monthly {PERIOD}: running the DAG; Airflow's full log: {log}"
    assert f"gridpulse_monthly {PERIOD}: success" in terminal and len(terminal) < 30, terminal
    for task in ("archive", "validate", "load", "dbt_build", "publish"):
        assert any(line.split()[:1] == [task] for line in terminal), task  # its progress line
        assert f"task_id={task}" in text, task  # every task ran, in the run's log
    models = len(list((PROJECT_DIR / "dbt_project" / "models").rglob("*.sql")))
    assert any(line.split() == ["dbt_build", "(each", "model's", "result)", str(models), "models"] for line in terminal), terminal


def test_ranking_has_every_township_in_competition_order(finished_run):
    _, paths, _ = finished_run
    # a second process reads the warehouse, as an analyst would
    query = f"SELECT org_name, total_score, rank FROM marts.rpt_ranking_monthly WHERE period = '{PERIOD}' ORDER BY rank, org_name"
    code = f"import duckdb, json; print(json.dumps(duckdb.connect({str(paths.warehouse)!r}, read_only=True).execute({query!r}).fetchall()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    rows = json.loads(done.stdout)
    assert len(rows) == 17
    totals = [total for _, total, _ in rows]
    assert totals == sorted(totals, reverse=True)
    for position, (_, total, rank) in enumerate(rows):
        higher = sum(1 for _, other, _ in rows if other > total + 1e-9)
        assert rank == higher + 1, f"rank {rank} at position {position} is not a competition rank"


def test_scores_follow_the_scheme(finished_run):
    _, paths, _ = finished_run
    marts = _marts(paths.warehouse)
    scores = marts["fct_score_monthly"]
    items = marts["dim_scheme_item"]
    # every item of the scheme applied this month is scored, and nothing else
    applied = items[items.scheme_id.isin(set(scores.scheme_id))]
    assert set(scores.item_id) == set(applied.item_id)
    assert (scores.score <= scores.weight + 1e-9).all() and (scores.score >= 0).all()
    totals = scores.groupby("org_id").score.sum()
    ranking = marts["rpt_ranking_monthly"].set_index("org_id")
    assert (totals - ranking.total_score).abs().max() < 1e-9
    # item 1 from raw rows: new events per 10,000 residents, proportional to a standard of 100
    indicators = marts["fct_indicator_monthly"]
    volume = indicators[indicators.indicator_id == "events_per_10k_residents"]
    assert len(volume) >= 17 and (volume.value > 0).all()


def test_outputs_are_written(finished_run):
    _, paths, _ = finished_run
    month = paths.output / PERIOD
    book = load_workbook(month / "ranking.xlsx")
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[2]]  # row 1 is the title (district, month, scheme)
    assert headers[:3] == ["排名", "机构编码", "单位"] and headers[-1] == "总分"
    assert sheet.max_row == 19 and sheet.freeze_panes == "D3"  # the rank, code and name stay in view
    # scores are numbers shown with two decimals; a score below its item's weight is highlighted
    scores = _marts(paths.warehouse)["fct_score_monthly"]
    below = {(row.org_id, row.label_zh) for row in scores.itertuples() if row.score < row.weight}
    for row in sheet.iter_rows(min_row=3):
        for header, cell in zip(headers[3:-1], row[3:-1]):
            assert isinstance(cell.value, (int, float)) and cell.number_format == "0.00"
            highlighted = cell.fill.fill_type == "solid"
            assert highlighted == ((row[1].value, header.split("（")[0]) in below), (row[2].value, header)
    assert (month / "ranking.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    html = (month / "bulletin.html").read_text(encoding="utf-8")
    assert "关于2022年11月份全区综治信息平台运行情况的通报" in html
    ranking = _marts(paths.warehouse)["rpt_ranking_monthly"]
    for name in ranking.org_name:
        assert name in html


def test_the_pdf_bulletin_carries_every_township_and_total(finished_run):
    import pypdfium2 as pdfium

    _, paths, _ = finished_run
    pdf = pdfium.PdfDocument(str(paths.output / PERIOD / "bulletin.pdf"))
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    ranking = _marts(paths.warehouse)["rpt_ranking_monthly"]
    for row in ranking.itertuples():
        assert row.org_name in text and f"{row.total_score:.2f}" in text, row.org_name
    # page 1 renders with ink on it, and its text extracts as Chinese (the font is embedded)
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height
    first = pdf[0].get_textpage().get_text_range()
    assert "关于2022年11月份全区综治信息平台运行情况的通报" in first.replace("\n", "").replace("\r", "")
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in first) > 100


def test_the_docx_bulletin_is_laid_out_as_an_official_document(finished_run):
    from docx import Document
    from docx.oxml.ns import qn

    _, paths, _ = finished_run
    document = Document(str(paths.output / PERIOD / "bulletin.docx"))
    texts = [p.text.replace("\n", "") for p in document.paragraphs]  # the title's lines break between words
    assert "关于2022年11月份全区综治信息平台运行情况的通报" in texts
    for heading in ("一、各项指标运行情况", "二、存在的问题", "三、工作要求"):
        assert any(t.startswith(heading) for t in texts), heading
    scorecard = next(t for t in document.tables if t.rows[0].cells[0].text == "排名")
    assert len(scorecard.rows) == 1 + 17 and scorecard.rows[0].cells[-1].text == "总分"
    assert len(document.inline_shapes) >= 2  # the charts
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    body = next(p for p in document.paragraphs if p.text.startswith("全区共有网格员"))
    fonts = body.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and fonts.get(qn("w:eastAsiaTheme")) is None
    assert body.runs[0].font.size.pt == 16  # 3号
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312" and defaults.get(qn("w:eastAsiaTheme")) is None
    footer = document.sections[0].footer.paragraphs[0]._element.xml
    assert "PAGE" in footer


def test_no_personal_data_in_the_warehouse_outputs_or_logs(finished_run, demo_month):
    """Names, phones and ID numbers of workers and special-population members never reach the
    warehouse analysts open: no table or view of any schema (raw included), no output file, no
    task log and no dbt log carries one. They are in the restricted store, where follow-up
    lists read them."""
    import os

    _, paths, log = finished_run
    secrets = personal_values(demo_month, ignore=fixed_text(demo_month))
    assert len(id_numbers(secrets)) > 2000 and len(secrets) > 5000  # the scan looks for something
    hits = scan_warehouse(paths.warehouse, secrets)
    hits += scan_files(files_under(paths.output / PERIOD), secrets)
    # task logs: the run's own output and Airflow's log folder; dbt's logs and the validation
    # reports in the data folder (the archive and quarantine keep exports as received, and the
    # restricted folder the follow-up lists: both hold names by design)
    logs = [log] + files_under(Path(os.environ["AIRFLOW_HOME"]) / "logs")
    logs += [p for p in files_under(paths.warehouse.parents[1], skip=("archive", "quarantine", "restricted")) if p.suffix != ".duckdb"]
    logs += sorted(paths.archive.rglob("validation_report.*"))
    assert any(p.name == "dbt.log" for p in logs) and any(p.name == "validation_report.txt" for p in logs)
    hits += scan_files(logs, secrets)
    assert not hits, hits[:20]
    restricted = duckdb.connect(str(paths.restricted / "personal.duckdb"), read_only=True)
    stored = {v for (v,) in restricted.execute("SELECT worker_name FROM grid_workers UNION ALL SELECT id_number FROM special_population").fetchall()}
    restricted.close()
    assert len(stored & secrets) > 2000  # split off, not lost


def _modes(root: Path) -> set[tuple[str, str]]:
    """(kind, mode) of `root` and everything below it."""
    found = {("folder", oct(root.stat().st_mode & 0o777))}
    for path in root.rglob("*"):
        found.add(("folder" if path.is_dir() else "file", oct(path.stat().st_mode & 0o777)))
    return found


def test_folders_with_personal_data_are_the_services_alone(finished_run):
    """After a real run under the usual umask (022), the archive (exports as received, their
    reports and staged tables) and the restricted folder (the personal store, follow-up lists)
    are 0700 folders of 0600 files (quarantine: tests/test_broken_corpus.py)."""
    from gridpulse.followup import build_followup_lists

    _, paths, _ = finished_run
    build_followup_lists(MONTH)
    private = {("folder", "0o700"), ("file", "0o600")}
    assert any(p.name.endswith(".validation") for p in (paths.archive / PERIOD).iterdir())
    assert any(paths.archive.rglob("*.xlsx")) and (paths.restricted / "personal.duckdb").exists()
    assert _modes(paths.archive) <= private and ("file", "0o600") in _modes(paths.archive)
    assert _modes(paths.restricted) <= private and ("file", "0o600") in _modes(paths.restricted)


def test_running_the_month_again_changes_nothing(finished_run):
    _, paths, _ = finished_run
    before = _marts(paths.warehouse)
    pipeline.run_month(MONTH)
    after = _marts(paths.warehouse)
    for table in MART_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False)


def test_followup_lists_name_each_townships_own_short_workers(finished_run, demo_month):
    """点对点督促: one workbook per township in the restricted folder, listing by name exactly the
    workers of that township who fell short on a listed item; the counts agree with the
    township's own indicator (workers - workers meeting the standard)."""
    import stat

    from gridpulse.followup import build_followup_lists

    _, paths, _ = finished_run
    lists = build_followup_lists(MONTH)
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        townships = dict(con.execute("SELECT org_id, org_name FROM marts.dim_org_unit WHERE org_level = 'township'").fetchall())
        short = con.execute("""
            SELECT org_id, item_id, denominator - numerator FROM marts.fct_indicator_monthly
            WHERE period = ? AND org_level = 'township' AND scheme_id = 'yushui_township_2022'
              AND item_id IN ('compliant_workers', 'hazard_reporting', 'patrol_compliance')""", [PERIOD]).fetchall()
        labels = dict(con.execute("SELECT item_id, label_zh FROM marts.dim_scheme_item WHERE scheme_id = 'yushui_township_2022'").fetchall())
    finally:
        con.close()
    assert set(lists) == set(townships) and len(lists) == 17
    workers = pd.read_excel(demo_month / "网格员.xlsx", dtype=str).set_index("网格员编号")
    grids = pd.read_excel(demo_month / "组织机构.xlsx", dtype=str).set_index("机构编码")
    listed_total = 0
    for township_id, path in lists.items():
        # named for the people who open it: the township's name and code, and the month
        assert path.name == f"{townships[township_id]}（{township_id}）2022年11月未达标网格员名单.xlsx"
        assert paths.restricted in path.parents and paths.output not in path.parents
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        book = load_workbook(path)
        sheet = book.active
        assert townships[township_id] in sheet["A1"].value
        rows = [dict(zip([c.value for c in sheet[2]], [c.value for c in row])) for row in sheet.iter_rows(min_row=3)]
        for row in rows:  # the township's own workers, under their names in the export
            assert workers.loc[row["网格员编号"], "姓名"] == row["姓名"]
            village = grids.loc[workers.loc[row["网格员编号"], "所属网格编码"], "上级机构编码"]
            assert grids.loc[village, "上级机构编码"] == township_id
        for org_id, item_id, count in short:
            if org_id == township_id:
                assert sum(labels[item_id] in r["未达标项目"].split("、") for r in rows) == count, (township_id, item_id)
        listed_total += len(rows)
    assert listed_total > 0


def test_a_followup_list_s_file_name_never_carries_a_path_or_a_control_from_the_export():
    from gridpulse.followup import file_name

    assert file_name('../=cmd|"/c calc"\t', "360502001", MONTH) == "=cmd_c calc（360502001）2022年11月未达标网格员名单.xlsx"
    assert file_name(" ", "360502001", MONTH).startswith("360502001（360502001）")


def test_a_new_month_reuses_dbts_parse(two_month_warehouse):
    """November's build after October's parses nothing again: the month reaches dbt as it runs
    (macros/this_month.sql), not as a var that would make dbt parse the whole project anew."""
    logs = sorted(two_month_warehouse.parent.glob("dbt-*/logs/dbt.log"))
    assert len(logs) == 1, logs
    builds = [run for run in logs[0].read_text(encoding="utf-8").split("Running with dbt=") if "Command `dbt build`" in run]
    assert len(builds) == 2, "October's and November's builds"
    november = builds[-1]
    assert "Unable to do partial parsing" not in november
    assert "Partial parsing enabled" in november and "Command `dbt build` succeeded" in november
