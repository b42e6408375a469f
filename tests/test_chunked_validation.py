"""Validation reads each file once into a DuckDB landing table and judges it whole there: a key
repeated far apart in a file, references from every row into another file, the spreadsheet rows
of late rows, and one count of the rows not listed. Nothing else is reported. A workbook is handed
to DuckDB in batches (gridpulse.yml `validation.batch_rows`), and batch edges raise no false
problems and keep every row number."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gridpulse import config, pipeline
from gridpulse.ingest import staged
from gridpulse.problems import MAX_ROWS_PER_CHECK, ExportRejected

from conftest import MONTH
from exports import drop_month, edit_csv, edit_xlsx, encoding_of

pytestmark = pytest.mark.month

BATCH_ROWS = 100
UNKNOWN_WORKER_EVERY = 250
UNKNOWN_WORKER = "W999999"
WORKERS = 1372  # in the demo month; the repeated one is row WORKERS + 2


@pytest.fixture
def small_batches(monkeypatch):
    settings = config.settings() | {"validation": {"batch_rows": BATCH_ROWS}}
    monkeypatch.setattr(config, "settings", lambda: settings)


def _break_patrols(frame):
    """The key of row 7 again at row 25,002 (far apart); an unknown worker every 250 rows."""
    frame.loc[25_000, "巡查编号"] = frame.loc[5, "巡查编号"]
    frame.loc[::UNKNOWN_WORKER_EVERY, "网格员编号"] = UNKNOWN_WORKER
    return frame


def _break_workers(frame):
    """Row 3 again at the end, batches after it; an unknown grid at row 1,002."""
    frame.loc[1_000, "所属网格编码"] = "360502999999999"
    return pd.concat([frame, frame.iloc[[1]]], ignore_index=True)


def test_checks_span_every_row_of_a_file(workspace, demo_month, small_batches):
    month = drop_month(demo_month, workspace["source"])
    edit_csv(month, "巡查记录.csv", _break_patrols)
    edit_xlsx(month, "网格员.xlsx", _break_workers)
    archived = pipeline.archive(MONTH)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(MONTH, archived)
    texts = [p.text() for p in rejected.value.problems]

    assert "巡查记录.csv 第 7 行 「巡查编号」(patrol_id)：编号重复" in texts
    assert "巡查记录.csv 第 25002 行 「巡查编号」(patrol_id)：编号重复" in texts

    raw = (month / "巡查记录.csv").read_bytes()
    patrol_rows = raw.decode(encoding_of(raw)).count("\n") - 1
    unknown = [t for t in texts if UNKNOWN_WORKER in t]
    rows_changed = len(range(0, patrol_rows, UNKNOWN_WORKER_EVERY))
    assert len(unknown) == MAX_ROWS_PER_CHECK
    assert unknown[0] == f"巡查记录.csv 第 2 行 「网格员编号」(worker_id)：「{UNKNOWN_WORKER}」在网格员中不存在"
    assert unknown[-1].startswith(f"巡查记录.csv 第 {2 + (MAX_ROWS_PER_CHECK - 1) * UNKNOWN_WORKER_EVERY} 行")
    assert texts.count(f"巡查记录.csv 「网格员编号」(worker_id)：同类问题另有 {rows_changed - MAX_ROWS_PER_CHECK} 行未列出") == 1

    assert "网格员.xlsx 第 3 行 「网格员编号」(worker_id)：编号重复" in texts
    assert f"网格员.xlsx 第 {WORKERS + 2} 行 「网格员编号」(worker_id)：编号重复" in texts
    assert "网格员.xlsx 第 1002 行 「所属网格编码」(grid_id)：「360502999999999」在组织机构中不存在" in texts
    assert len(texts) == 2 + MAX_ROWS_PER_CHECK + 1 + 3, "a problem that is not in the export was reported"
    archived = Path(archived)  # nothing of a rejected export (personal data) is left beside it
    assert not staged.partial_path(archived).exists() and not staged.staged_path(archived).exists()
    assert not (staged.staged_path(archived).parent / "scratch").exists()
