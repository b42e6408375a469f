"""Workers leave and are replaced within a month: every per-worker-day figure counts the days each
worker was in service (the worker file's 入职日期 and 离职日期), so a grid covered every day scores
as covered. 百官街道's month (seed 002, every worker online every day) with two staff changes:
one grid's worker leaves on the 15th and a new one starts on the 16th, another grid hires a second
worker on the 16th. Both grids keep full marks on 日在线率; counting every worker for the whole
month would give 30/60 and 45/60."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from gridpulse import config, pipeline

from conftest import _month
from exports import drop_month, edit_csv, edit_xlsx

pytestmark = pytest.mark.month

PERIOD = "2021-09"
REPLACED, HIRED = "330604001001001", "330604001001002"  # the grids of the demo's first two workers
LEAVER, NEWCOMER, SECOND = "W330604000001", "W100001", "W100002"  # demo ids: W<district code><n>
SCHEME = "baiguan_grid_2021"


def _staff_changes(export) -> None:
    def workers(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["网格员账号"] == LEAVER, "离职日期"] = "2021-09-15"
        joined = frame[frame["网格员账号"] == LEAVER].copy()
        joined = pd.concat([joined, joined], ignore_index=True)
        joined["网格员账号"], joined["网格编码"] = [NEWCOMER, SECOND], [REPLACED, HIRED]
        joined["网格员姓名"], joined["入职日期"], joined["离职日期"] = ["新员甲", "新员乙"], "2021-09-16", ""
        return pd.concat([frame, joined], ignore_index=True)

    def activity(frame: pd.DataFrame) -> pd.DataFrame:
        late = frame["统计日期"] >= "2021-09-16"
        # the leaver's app is silent after the 15th; the newcomer is online from the 16th, as is the second worker
        frame.loc[(frame["网格员账号"] == LEAVER) & late, "网格员账号"] = NEWCOMER
        second = frame[(frame["网格员账号"] == NEWCOMER) & late].copy()
        second["网格员账号"] = SECOND
        return pd.concat([frame, second], ignore_index=True)

    edit_xlsx(export, "专职网格员.xlsx", workers)
    edit_csv(export, "平安通日在线统计.csv", activity)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from gridpulse.demo import generate

    root = tmp_path_factory.mktemp("staff")
    patch = pytest.MonkeyPatch()
    try:
        for key, folder in (("SOURCE", "landing"), ("DATA", "data"), ("OUTPUT", "output")):
            patch.setenv(f"GRIDPULSE_{key}_DIR", str(root / folder))
        patch.delenv("GRIDPULSE_WAREHOUSE", raising=False)
        patch.setenv("GRIDPULSE_CONFIG", "include/config/gridpulse-baiguan.yml")
        export = drop_month(generate(PERIOD, root / "exports", district="baiguan"), root / "landing")
        _staff_changes(export)
        pipeline.run_month(_month(PERIOD))
        yield config.paths().warehouse
    finally:
        patch.undo()


def _online_rate(con, grid: str) -> tuple:
    return con.execute("""
        SELECT i.numerator, i.denominator, s.score, s.weight FROM marts.fct_indicator_monthly i
        JOIN marts.fct_score_monthly s USING (period, scheme_id, org_id, item_id)
        WHERE i.period = ? AND i.scheme_id = ? AND i.org_id = ? AND i.indicator_id = 'app_online_day_rate'""",
                       [PERIOD, SCHEME, grid]).fetchone()


def test_a_worker_replaced_mid_month_leaves_the_grid_covered(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        served = dict(con.execute("SELECT worker_id, days_in_service FROM intermediate.int_worker_monthly "
                                  "WHERE period = ? AND grid_id = ?", [PERIOD, REPLACED]).fetchall())
        assert served == {LEAVER: 15, NEWCOMER: 15}
        numerator, denominator, score, weight = _online_rate(con, REPLACED)
    assert (numerator, denominator) == (30, 30)  # 30 online days of 30 in service, not of 2 workers x 30
    assert score == weight == 20


def test_a_worker_hired_mid_month_counts_from_the_day_they_started(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        served = dict(con.execute("SELECT worker_id, days_in_service FROM intermediate.int_worker_monthly "
                                  "WHERE period = ? AND grid_id = ?", [PERIOD, HIRED]).fetchall())
        assert served == {"W330604000002": 30, SECOND: 15}
        numerator, denominator, score, weight = _online_rate(con, HIRED)
        both_online = con.execute("""SELECT numerator, denominator FROM marts.fct_indicator_monthly WHERE period = ?
                                     AND org_id = ? AND indicator_id = 'worker_online_share'""", [PERIOD, HIRED]).fetchone()
    assert (numerator, denominator) == (45, 45)
    assert score == weight == 20
    assert both_online == (2, 2)
