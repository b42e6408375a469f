"""A month is published whole or not at all: a run whose dbt build fails leaves the published
warehouse and outputs exactly as they were."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected

from conftest import MONTH, PERIOD
from exports import drop_month, edit_xlsx


def _published_state() -> tuple:
    paths = config.paths()
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        # the raw month and every model built on it, not only the mart tables
        marts = tuple(con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                      for t in ("raw.org_units", "intermediate.int_worker_monthly", "marts.rpt_ranking_monthly",
                                "marts.fct_score_monthly", "marts.fct_indicator_monthly"))
    finally:
        con.close()
    outputs = tuple(sorted((p.name, p.read_bytes()) for p in (paths.output / PERIOD).iterdir()))
    return marts, outputs


def test_failed_build_leaves_the_published_month_untouched(published_copy, small_month):
    before = _published_state()

    # A re-export (the small month) in which one grid hangs directly under the district: every file
    # passes validation, but the grid's worker belongs to no township, which dbt's tests refuse.
    shutil.rmtree(config.paths().source / PERIOD)
    month = drop_month(small_month, config.paths().source)

    def misplace_a_grid(frame):
        district = frame.loc[frame["机构层级"] == "区县", "机构编码"].iloc[0]
        grid = frame.index[frame["机构层级"] == "网格"][0]
        frame.loc[grid, "上级机构编码"] = district
        return frame

    edit_xlsx(month, "组织机构.xlsx", misplace_a_grid)
    archived = pipeline.archive(MONTH)
    pipeline.validate(MONTH, archived)
    pipeline.load(MONTH, archived)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.transform(MONTH, archived)  # as run_month calls it
    report = Path(rejected.value.report_path).read_text(encoding="utf-8")
    assert report.startswith("2022-11 导出 jiangxi_shzl-2022-11-")
    assert "dbt 检验未通过：1 处问题" in report and "Traceback" not in report
    cause = ("dbt 模型 int_org_hierarchy 「township_id」(township_id)：应有值，有 1 行为空（dbt 检验 "
             "not_null_int_org_hierarchy_township_id 未通过，模型 int_org_hierarchy；列出这些行的 SQL：")
    assert cause in report
    listing = Path(report.split("列出这些行的 SQL：")[1].split("）")[0])
    assert listing.name == "not_null_int_org_hierarchy_township_id.sql" and "township_id is null" in listing.read_text()
    assert not config.paths().building.exists()  # the building copy is thrown away
    assert _published_state() == before


def test_a_column_empty_after_loading_is_named_with_its_export_header(published_copy, small_month):
    """The not-null test of a model checks all its columns in one query; its failure still names
    each empty column, the export's header and how many rows, as a test per column did."""
    before = _published_state()
    shutil.rmtree(config.paths().source / PERIOD)
    drop_month(small_month, config.paths().source)
    archived = pipeline.archive(MONTH)
    pipeline.validate(MONTH, archived)
    pipeline.load(MONTH, archived)
    con = duckdb.connect(str(config.paths().building))
    try:  # what no validated export holds: a loaded value lost on the way (a manual edit, a faulty load)
        con.execute("UPDATE raw.events SET category = NULL WHERE event_id IN (SELECT event_id FROM raw.events "
                    "WHERE period = ? ORDER BY event_id LIMIT 3)", [PERIOD])
    finally:
        con.close()
    with pytest.raises(ExportRejected) as rejected:
        pipeline.transform(MONTH, archived)
    report = Path(rejected.value.report_path).read_text(encoding="utf-8")
    assert "事件.csv 「事件类别」(category)：应有值，有 3 行为空（dbt 检验 not_null_stg_events 未通过，模型 stg_events；" in report
    assert "dbt 检验未通过：1 处问题" in report  # the one empty column, not every column the test covers
    assert _published_state() == before


def test_a_figure_that_changes_after_drawing_stops_the_publish(published_copy, monkeypatch):
    """Reconciliation looks every printed figure up again: a mart value that changes after the
    bulletin drew it fails the publish step, and nothing is published."""
    from gridpulse.bulletin.reconcile import ReconciliationError
    from gridpulse.publish import outputs

    before = _published_state()
    archived = pipeline.archive(MONTH)
    pipeline.validate(MONTH, archived)
    pipeline.load(MONTH, archived)
    pipeline.transform(MONTH)

    render = outputs.render_all

    def render_then_change_a_mart(marts, staging):
        bulletins = render(marts, staging)
        con = duckdb.connect(str(config.paths().building))
        con.execute("UPDATE marts.rpt_headline_monthly SET workers_online = workers_online - 1 WHERE period = ?", [PERIOD])
        con.close()
        return bulletins

    monkeypatch.setattr(outputs, "render_all", render_then_change_a_mart)
    with pytest.raises(ReconciliationError) as failure:
        pipeline.publish(MONTH)
    message = str(failure.value)
    assert "rpt_headline_monthly" in message and "workers_online" in message
    assert "printed 1372, the marts now give 1371" in message
    assert "share of marts.rpt_headline_monthly" in message  # the 出勤率 beside it no longer holds either
    assert _published_state() == before
