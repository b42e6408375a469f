"""Two districts on two platforms in one deployment: 百官街道 (seed 002) exports from Zhejiang's
基层治理四平台 (zhejiang_sipingtai), 渝水区 (seed 000) from Jiangxi's platform (jiangxi_shzl). The
session's seed months (conftest.seed_months) publish both into one workspace, each read through
the mapping its settings name."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from gridpulse import config
from gridpulse.contract import tables

from conftest import SEED_MONTHS, point_at, seed_workspace

pytestmark = pytest.mark.month

PLATFORMS = {"2021-09": "zhejiang_sipingtai", "2022-11": "jiangxi_shzl"}


@pytest.fixture(scope="module")
def workspace(seed_months):
    """Each month's folders (each district its own workspace), by period."""
    patch, found = pytest.MonkeyPatch(), {}
    for kind, (period, _district, settings) in SEED_MONTHS.items():
        point_at(patch, seed_workspace(seed_months, kind))
        patch.setenv("GRIDPULSE_CONFIG", settings)
        found[period] = config.paths()
    patch.undo()
    return found


def _archived(workspace, period: str) -> Path:
    """The one archived copy of the month's export."""
    [folder] = [p.parent for p in (workspace[period].archive / period).glob("*/manifest.json")]
    return folder


def test_each_month_names_the_platform_its_deployment_reads():
    for period, _district, settings in SEED_MONTHS.values():
        assert config.settings_of(settings)["platform"] == PLATFORMS[period]


def test_the_archived_exports_come_from_two_platforms(workspace):
    manifests = {period: json.loads((_archived(workspace, period) / "manifest.json").read_text(encoding="utf-8"))
                 for period in PLATFORMS}
    assert {period: m["platform"] for period, m in manifests.items()} == PLATFORMS
    for period, manifest in manifests.items():
        files = config.platform_mapping(PLATFORMS[period])["files"]
        assert {e["table"]: e["file"] for e in manifest["files"]} == {name: spec["file"] for name, spec in files.items()}


def test_the_zhejiang_export_carries_the_zhejiang_headers(workspace):
    mapping = config.platform_mapping("zhejiang_sipingtai")
    spec = mapping["files"]["app_activity"]
    with open(_archived(workspace, "2021-09") / spec["file"], encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(spec["columns"]) == ["网格员账号", "统计日期", "在线状态", "日在线时长（分钟）", "日在线里程（公里）"]
    jiangxi = config.platform_mapping("jiangxi_shzl")["files"]["app_activity"]
    assert not set(header) & set(jiangxi["columns"])


def _raw(workspace, period: str, sql: str) -> list:
    con = duckdb.connect(str(workspace[period].warehouse), read_only=True)
    try:
        return con.execute(sql, [period]).fetchall()
    finally:
        con.close()


def test_both_months_rows_came_through_their_mappings(workspace):
    for name, table in tables().items():
        counts = {period: _raw(workspace, period, f"SELECT count(*) FROM raw.{name} WHERE period = ?")[0][0] for period in PLATFORMS}
        assert counts["2021-09"] > 0, f"raw.{name} has no rows for 2021-09"
        assert counts["2022-11"] > 0 or table.may_be_empty, f"raw.{name} has no rows for 2022-11"
    # value words of both platforms became the same canonical codes
    levels = {period: _raw(workspace, period, "SELECT list(DISTINCT org_level ORDER BY org_level) FROM raw.org_units WHERE period = ?")[0][0]
              for period in PLATFORMS}
    assert levels["2021-09"] == levels["2022-11"] == sorted(tables()["org_units"].columns["org_level"].values)
    online = {period: _raw(workspace, period, "SELECT count(*) FILTER (WHERE is_online) FROM raw.app_activity WHERE period = ?")[0][0]
              for period in PLATFORMS}
    assert online["2021-09"] > 0 and online["2022-11"] > 0
