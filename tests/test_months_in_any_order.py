"""A district's history is not run in order: three months loaded latest first give the same marts
and the same files as the three loaded in order, and loading a month before a published one
republishes that one (its comparison with the month before changed) and says so. The district's
scheme changes between the first and the second month (two versions of one scheme id): each month
is scored under its own version, no bulletin warns of a scheme out of force, the first month of
the new version says so in one line, and its rank change against the month under the earlier
version is printed, marked as across the change.

Months run as the operator runs them, `python -m gridpulse run`, each in a process of its own."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from gridpulse import config

from exports import drop_month

pytestmark = pytest.mark.month

MONTHS = ["2022-09", "2022-10", "2022-11"]
LATEST_FIRST = ["2022-11", "2022-09", "2022-10"]
SCHEME = "yushui_township_2022"
NEW_VERSION = "2022-10"
EARLIER_WEIGHTS = {"event_volume": 25, "patrol_compliance": 5}  # the earlier version's; 20 and 10 from 2022-10
SCALE = 0.3  # five townships: enough for ranks to move


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict:
    """The three demo months, and a schemes folder whose township scheme has two versions."""
    from gridpulse.demo import generate

    root = tmp_path_factory.mktemp("any-order")
    exports = {month: generate(month, root / "exports", scale=SCALE) for month in MONTHS}
    schemes = root / "schemes"
    shutil.copytree(config.SCHEMES_DIR, schemes)
    scheme = yaml.safe_load((schemes / f"{SCHEME}.yml").read_text(encoding="utf-8"))
    items = scheme.pop("items")
    scheme.pop("valid_from"), scheme.pop("valid_to")
    earlier = [dict(item, weight=EARLIER_WEIGHTS.get(item["item_id"], item["weight"])) for item in items]
    scheme["versions"] = [{"valid_from": "2022-01", "valid_to": "2022-09", "items": earlier},
                          {"valid_from": NEW_VERSION, "valid_to": None, "items": items}]
    (schemes / f"{SCHEME}.yml").write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"root": root, "exports": exports, "schemes": schemes}


def _run(setup: dict, name: str, order: list[str]) -> dict:
    """The months run in `order` in a workspace of their own; each run's log."""
    root = setup["root"] / name
    env = os.environ | {"GRIDPULSE_SOURCE_DIR": str(root / "landing"), "GRIDPULSE_DATA_DIR": str(root / "data"),
                        "GRIDPULSE_OUTPUT_DIR": str(root / "output"), "GRIDPULSE_SCHEMES_DIR": str(setup["schemes"]),
                        "GRIDPULSE_DELIVERY": "off"}
    env.pop("GRIDPULSE_WAREHOUSE", None)
    env.pop("GRIDPULSE_CONFIG", None)  # the default district, under the fail policy for schemes out of force
    logs = {}
    for month in order:
        drop_month(setup["exports"][month], root / "landing")
        done = subprocess.run([sys.executable, "-m", "gridpulse", "run", "--period", month], env=env,
                              capture_output=True, text=True, cwd=config.PROJECT_DIR)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        logs[month] = done.stdout + done.stderr
    return {"root": root, "logs": logs, "warehouse": root / "data" / "warehouse" / "gridpulse.duckdb"}


@pytest.fixture(scope="module")
def in_order(setup):
    return _run(setup, "in-order", MONTHS)


@pytest.fixture(scope="module")
def latest_first(setup):
    return _run(setup, "latest-first", LATEST_FIRST)


def _marts(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {name: con.execute(f'SELECT * FROM marts."{name}" ORDER BY ALL').fetchall() for name in names}


def _bulletin(run: dict, month: str) -> str:
    return (run["root"] / "output" / month / "bulletin.html").read_text(encoding="utf-8")


def test_every_mart_and_file_is_the_same_whatever_the_order(in_order, latest_first):
    expected, got = _marts(in_order["warehouse"]), _marts(latest_first["warehouse"])
    assert len(expected) >= 10 and set(got) == set(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
    with duckdb.connect(str(in_order["warehouse"]), read_only=True) as con:  # the comparison holds something
        assert con.execute("SELECT count(*) FROM marts.rpt_ranking_monthly WHERE period = '2022-11' "
                           "AND previous_rank IS NULL").fetchone()[0] == 0
    for month in MONTHS:
        files = sorted(p.name for p in (in_order["root"] / "output" / month).iterdir())
        assert files == sorted(p.name for p in (latest_first["root"] / "output" / month).iterdir())
        changed = [name for name in files if (in_order["root"] / "output" / month / name).read_bytes()
                   != (latest_first["root"] / "output" / month / name).read_bytes()]
        assert changed == [], month


def test_a_backfill_republishes_the_month_after_it_and_says_so(in_order, latest_first):
    logs = latest_first["logs"]
    assert "republished" not in logs["2022-11"] and "republished" not in logs["2022-09"]  # 2022-10 not loaded yet
    said = [line for line in logs["2022-10"].splitlines() if "republished 2022-11" in line]
    assert len(said) == 1 and "python -m gridpulse deliver --period 2022-11" in said[0]
    assert not any("republished" in log for log in in_order["logs"].values())  # in order, nothing to redo


def test_each_month_is_scored_under_its_own_version(in_order):
    with duckdb.connect(str(in_order["warehouse"]), read_only=True) as con:
        weights = dict(con.execute("SELECT period, max(weight) FILTER (WHERE item_id = 'event_volume') "
                                   "FROM marts.fct_score_monthly GROUP BY period").fetchall())
        ranking = con.execute("SELECT period, scheme_valid_from, replaces_scheme_valid_from, previous_rank, "
                              "across_scheme_change FROM marts.rpt_ranking_monthly").df()
    assert weights == {"2022-09": 25, "2022-10": 20, "2022-11": 20}
    by_month = ranking.groupby("period")
    assert by_month.scheme_valid_from.unique().map(list).to_dict() == {"2022-09": ["2022-01"], "2022-10": [NEW_VERSION],
                                                                      "2022-11": [NEW_VERSION]}
    october, november = ranking[ranking.period == "2022-10"], ranking[ranking.period == "2022-11"]
    assert october.previous_rank.notna().all() and october.across_scheme_change.all()  # ranked across the change
    assert (october.replaces_scheme_valid_from == "2022-01").all()
    assert november.previous_rank.notna().all() and not november.across_scheme_change.any()


def test_the_bulletins_warn_of_nothing_and_the_new_version_is_said_once(in_order):
    bulletins = {month: _bulletin(in_order, month) for month in MONTHS}
    assert not any("不在有效期内" in text for text in bulletins.values())
    noted = {month for month, text in bulletins.items() if "本月起按调整后的" in text}
    assert noted == {NEW_VERSION}
    october = bulletins[NEW_VERSION]
    assert october.count("本月起按调整后的") == 1 and "2022年10月起施行" in october
    assert "与上月（按调整前方案评分）相比，" in october
    assert "排名上升的有" in october or "排名下降的有" in october  # the rank change across the change, printed
    assert "与上月相比，" in bulletins["2022-11"] and "调整前方案" not in bulletins["2022-11"]


def test_the_trends_page_shows_the_demo_months_moving(in_order):
    """The demo's months differ (demo/months.py): totals and ranks move, and the trends page shows it."""
    from gridpulse.dashboard import pages

    with duckdb.connect(str(in_order["warehouse"]), read_only=True) as con:
        html = pages.trends(con, SCHEME)
        rows = con.execute("SELECT org_id, period, total_score, rank FROM marts.rpt_ranking_monthly").fetchall()
    units: dict[str, dict] = {}
    for org, period, total, rank in rows:
        units.setdefault(org, {})[period] = (total, rank)
    assert "共 3 个月" in html and len(units) == 5
    for before, after in zip(MONTHS, MONTHS[1:]):  # totals move from month to month (a unit at full marks may stay)
        assert sum(months[before][0] != months[after][0] for months in units.values()) >= 2, (before, after)
    assert sum(len({rank for _, rank in months.values()}) > 1 for months in units.values()) >= 2  # ranks change
    for months in units.values():
        for total, rank in months.values():
            assert f"{pages.figure(total)}（{rank}）" in html
