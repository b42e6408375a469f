"""Validation reads and checks an export in bounded chunks (gridpulse.yml `validation.chunk_rows`)
and still judges each file whole: a key repeated in two chunks, references from every chunk into
another file, the spreadsheet rows of late chunks, and one count of the rows not listed over all
chunks. Nothing else is reported: chunk edges raise no false problems."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PERIOD
from exports import drop_month, edit_csv
from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected
from gridpulse.validate import staged
from gridpulse.validate.gx_runner import MAX_ROWS_PER_CHECK

CHUNK_ROWS = 2048  # one DuckDB vector: the smallest chunk GX is handed
UNKNOWN_WORKER_EVERY = 250
UNKNOWN_WORKER = "W999999"


@pytest.fixture
def small_chunks(monkeypatch):
    settings = config.settings() | {"validation": {"chunk_rows": CHUNK_ROWS}}
    monkeypatch.setattr(config, "settings", lambda: settings)
    appended = []
    append = staged.StagedTables.append

    def recording(self, name, frame):
        appended.append((name, len(frame)))
        return append(self, name, frame)
    monkeypatch.setattr(staged.StagedTables, "append", recording)
    return appended


def _break_patrols(frame):
    """The key of row 7 again at row 25,002 (chunks apart); an unknown worker every 250 rows."""
    frame.loc[25_000, "巡查编号"] = frame.loc[5, "巡查编号"]
    frame.loc[::UNKNOWN_WORKER_EVERY, "网格员编号"] = UNKNOWN_WORKER
    return frame


def test_checks_span_every_chunk_of_a_file(workspace, demo_month, small_chunks):
    month = drop_month(demo_month, workspace["source"])
    edit_csv(month, "巡查记录.csv", _break_patrols)
    archived = pipeline.archive(PERIOD)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(PERIOD, archived)
    texts = [p.text() for p in rejected.value.problems]

    patrol_chunks = [rows for name, rows in small_chunks if name == "patrols"]
    assert len(patrol_chunks) > 10 and max(rows for _, rows in small_chunks) <= CHUNK_ROWS
    assert "巡查记录.csv 第 7 行 「巡查编号」(patrol_id)：编号重复" in texts
    assert "巡查记录.csv 第 25002 行 「巡查编号」(patrol_id)：编号重复" in texts

    unknown = [t for t in texts if UNKNOWN_WORKER in t]
    rows_changed = len(range(0, sum(patrol_chunks), UNKNOWN_WORKER_EVERY))
    assert len(unknown) == MAX_ROWS_PER_CHECK
    assert unknown[0] == f"巡查记录.csv 第 2 行 「网格员编号」(worker_id)：「{UNKNOWN_WORKER}」在网格员中不存在"
    assert unknown[-1].startswith(f"巡查记录.csv 第 {2 + (MAX_ROWS_PER_CHECK - 1) * UNKNOWN_WORKER_EVERY} 行")
    assert texts.count(f"巡查记录.csv 「网格员编号」(worker_id)：同类问题另有 {rows_changed - MAX_ROWS_PER_CHECK} 行未列出") == 1
    assert len(texts) == 2 + MAX_ROWS_PER_CHECK + 1, "a problem that is not in the export was reported"
    archived = Path(archived)  # the typed tables of a rejected export (personal data) are gone
    assert not staged.partial_path(archived).exists() and not staged.staged_path(archived).exists()
