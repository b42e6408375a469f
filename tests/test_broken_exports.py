"""A broken export stops before anything is loaded or published, with a message that names the
file, the row and the column; the export is kept in quarantine with its report."""
from __future__ import annotations

import pytest

from conftest import PERIOD
from exports import drop_month, edit_csv
from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected


def _run_until_rejected():
    archived = pipeline.archive(PERIOD)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(PERIOD, archived)
    return rejected.value


def _nothing_published():
    paths = config.paths()
    assert not paths.warehouse.exists(), "a rejected month must not reach the warehouse"
    assert not (paths.output / PERIOD).exists(), "a rejected month must not be published"


def test_missing_column_is_named(workspace, demo_month):
    month = drop_month(demo_month, workspace["source"])
    edit_csv(month, "事件.csv", lambda frame: frame.drop(columns=["办理时限"]))
    rejected = _run_until_rejected()
    assert "事件.csv 第 1 行 「办理时限」(due_at)：缺少列「办理时限」" in str(rejected)
    _nothing_published()
    report = config.paths().quarantine / PERIOD
    assert any(p.name == "validation_report.txt" for p in report.rglob("*"))


def test_broken_export_fails_the_dag_and_publishes_nothing(workspace, demo_month, airflow_db):
    month = drop_month(demo_month, workspace["source"])
    edit_csv(month, "巡查记录.csv", lambda frame: frame.assign(**{"巡查里程（公里）": frame["巡查里程（公里）"].where(frame.index != 0, "-3")}))
    from gridpulse.airflow_run import run

    dag_run = run(PERIOD)
    assert str(dag_run.state) == "failed"
    _nothing_published()
    report = next((config.paths().quarantine / PERIOD).rglob("validation_report.txt")).read_text(encoding="utf-8")
    assert "巡查记录.csv 第 2 行 「巡查里程（公里）」(distance_km)：「-3.0」超出允许范围 [0, 200]" in report
