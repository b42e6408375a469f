"""`make dashboard`: the trends page, started as an analyst starts it, loaded in headless Chromium
(Debian's package) from the two demo months, and its drill-down from township to village to grid."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.request
from urllib.parse import quote

import duckdb
import pytest

from conftest import PROJECT_DIR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(two_month_warehouse):
    """`make dashboard` on a free port; yields its base URL, then stops it (its own process group)."""
    port = _free_port()
    process = subprocess.Popen(["make", "-s", "dashboard", f"DASHBOARD_PORT={port}"], cwd=PROJECT_DIR,
                               env=os.environ | {"GRIDPULSE_WAREHOUSE": str(two_month_warehouse)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line + process.stderr.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def _townships(warehouse, period: str) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("""SELECT org_id, org_name FROM marts.rpt_ranking_monthly
                                   WHERE period = ? AND scheme_id = 'yushui_township_2022'""", [period]).fetchall())


@pytest.mark.external
def test_the_trends_page_renders_in_headless_chromium(dashboard, two_month_warehouse, tmp_path):
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): the browser test did not run")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*command, "--virtual-time-budget=10000", "--dump-dom", dashboard + "/"],
                         capture_output=True, text=True, timeout=120).stdout
    names = _townships(two_month_warehouse, "2022-11")
    assert len(names) == 17 and all(name in dom for name in names.values())
    assert dom.count("<polyline") == 17  # one rank line per township
    assert "失分热力图" in dom and dom.count("<rect") == 17 * 10  # township × item
    assert "2022-10" in dom and "2022-11" in dom
    shot = tmp_path / "trends.png"
    subprocess.run([*command, "--window-size=1200,1800", f"--screenshot={shot}", dashboard + "/"],
                   capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_drill_down_from_township_to_village_to_grid(dashboard, two_month_warehouse):
    front = _get(dashboard + "/")
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        (township_id, township), = con.execute("""SELECT org_id, org_name FROM marts.rpt_ranking_monthly
            WHERE period = '2022-11' AND rank = 1 ORDER BY org_id LIMIT 1""").fetchall()
        villages = dict(con.execute("SELECT org_id, org_name FROM marts.dim_org_unit WHERE parent_org_id = ? AND org_level = 'village'",
                                    [township_id]).fetchall())
    link = re.search(r'href="(/township\?id=' + township_id + r'[^"]*)"', front)
    assert link, "the front page links each township to its villages"
    township_page = _get(dashboard + link.group(1).replace("&amp;", "&"))
    assert township in township_page and all(name in township_page for name in villages.values())
    village_id = sorted(villages)[0]
    village_link = re.search(r'href="(/village\?id=' + village_id + r'[^"]*)"', township_page)
    village_page = _get(dashboard + village_link.group(1).replace("&amp;", "&"))
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        grids = con.execute("""SELECT grid_name, events_reported FROM marts.rpt_grid_activity_monthly
                               WHERE period = '2022-11' AND village_id = ?""", [village_id]).fetchall()
    assert grids and all(f"<td>{name}</td>" in village_page for name, _ in grids)
    assert f"/township?id={quote(township_id)}" in village_page  # the way back up


def test_the_page_reads_only_marts():
    source = (PROJECT_DIR / "include" / "gridpulse" / "dashboard" / "queries.py").read_text(encoding="utf-8")
    tables = set(re.findall(r"(?:FROM|JOIN)\s+([a-z_]+)\.", source))
    assert tables == {"marts"}
