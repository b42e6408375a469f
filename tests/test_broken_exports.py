"""A broken export stops before anything is loaded or published, with a message that names the
file, the row and the column; the export is kept in quarantine with its report."""
from __future__ import annotations

import pytest

from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected

from conftest import MONTH, PERIOD
from exports import drop_month, edit_csv

pytestmark = pytest.mark.month


def _run_until_rejected():
    archived = pipeline.archive(MONTH)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(MONTH, archived)
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
