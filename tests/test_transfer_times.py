"""A transfer (流转) timestamped after its event was closed is refused, with the transfer's file, row
and column and the event's close beside it; nothing is loaded. A transfer at the close itself passes
(the demo month has them: its transfers are drawn between the report and the close)."""
from __future__ import annotations

import pandas as pd
import pytest

from gridpulse import config, pipeline
from gridpulse.problems import ExportRejected

from conftest import MONTH, PERIOD
from exports import drop_month, edit_csv, read_text

pytestmark = pytest.mark.month


def _events(folder) -> pd.DataFrame:
    from io import StringIO

    text, _ = read_text(folder, "事件.csv")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def test_a_transfer_after_its_events_close_is_refused_with_file_row_and_column(workspace, demo_month):
    month = drop_month(demo_month, workspace["source"])
    events = _events(month).set_index("事件编号")
    moved = {}

    def edit(frame):
        closed = frame["事件编号"].map(events["办结时间"])
        open_rows = frame.index[closed != ""]
        late, at_close = open_rows[3], open_rows[5]
        frame.loc[late, "流转时间"] = str(pd.Timestamp(closed[late]) + pd.Timedelta(minutes=20))
        frame.loc[at_close, "流转时间"] = closed[at_close]  # at the close itself: fine
        moved.update(row=int(late) + 2, event=frame.loc[late, "事件编号"], closed=closed[late], at=frame.loc[late, "流转时间"])
        return frame
    edit_csv(month, "事件流转.csv", edit)
    archived = pipeline.archive(MONTH)
    with pytest.raises(ExportRejected) as rejected:
        pipeline.validate(MONTH, archived)
    found = [p for p in rejected.value.problems if p.check == "transfer_after_close"]
    assert len(found) == 1, [p.text() for p in rejected.value.problems]
    problem = found[0]
    assert (problem.file, problem.row, problem.column, problem.header) == ("事件流转.csv", moved["row"], "transferred_at", "流转时间")
    assert problem.text().startswith(f"事件流转.csv 第 {moved['row']} 行 「流转时间」(transferred_at)：「{moved['at']}」晚于事件 {moved['event']}")
    assert moved["closed"] in problem.text()
    assert not config.paths().warehouse.exists(), "a refused month must not reach the warehouse"
    assert (config.paths().quarantine / PERIOD).exists()
