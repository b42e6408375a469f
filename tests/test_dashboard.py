"""`make dashboard`: the trends page, started as an analyst starts it, loaded in headless Chromium
(Debian's package) from the two demo months at a phone's width and a desktop's, its headline
figures with their change since last month, its drill-down from township to village to grid, and
its server stopping on SIGTERM where SIGINT is ignored (a test run started in the background)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import urllib.request
from urllib.parse import quote

import duckdb
import pytest

from browser import CHROMIUM, NOT_INSTALLED, OVERFLOW, Browser
from conftest import PROJECT_DIR
from servers import stop_process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(warehouse, port: int) -> subprocess.Popen:
    """`make dashboard` in a process group of its own, with SIGINT ignored as `make test &` leaves it."""
    return subprocess.Popen(["make", "-s", "dashboard", f"DASHBOARD_PORT={port}"], cwd=PROJECT_DIR,
                            env=os.environ | {"GRIDPULSE_WAREHOUSE": str(warehouse)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


def _started(process: subprocess.Popen, port: int) -> str:
    line = process.stdout.readline()
    assert f"http://127.0.0.1:{port}/" in line, line + process.stderr.read()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def dashboard(two_month_warehouse):
    """`make dashboard` on a free port; yields its base URL, then stops it (SIGTERM, then SIGKILL)."""
    port = _free_port()
    process = _start(two_month_warehouse, port)
    try:
        yield _started(process, port)
    finally:
        stop_process(process)


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
        pytest.skip(NOT_INSTALLED)
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


@pytest.mark.external
def test_the_trends_page_fits_a_phone(dashboard, tmp_path):
    """At 360, 390 and 430 px, as a phone shows it (its viewport tag honoured): nothing is wider
    than the screen, outside a table's own sideways-scrolling box; both charts are whole."""
    if not CHROMIUM:
        pytest.skip(NOT_INSTALLED)
    with Browser(tmp_path / "profile") as browser:
        for width in (360, 390, 430):
            browser.open(dashboard + "/", width)
            layout = browser.evaluate(OVERFLOW)
            assert layout["window"] == width, layout  # without a viewport tag a phone lays out 980 px and shrinks it
            assert layout["scroll"] <= width and layout["wide"] == [], layout
            charts = browser.evaluate("[...document.querySelectorAll('svg.chart')].map(c => c.getBoundingClientRect().right)")
            assert len(charts) == 2 and max(charts) <= width, charts
            heat = browser.evaluate("Math.max(...[...document.querySelectorAll('svg.chart rect')].map(r => r.getBoundingClientRect().right))")
            assert heat <= width  # every item's column of the heatmap, not 3 of 10
        browser.screenshot(tmp_path / "phone.png")
        assert (tmp_path / "phone.png").stat().st_size > 20_000


def test_the_page_names_the_district_and_the_months_headline_with_its_change(dashboard, two_month_warehouse):
    front = _get(dashboard + "/")
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        (district,), = con.execute("SELECT org_name FROM marts.dim_org_unit WHERE org_level = 'district'").fetchall()
        figures = {period: (reported, overdue, rate) for period, reported, overdue, rate in con.execute(
            """SELECT period, events_reported, events_overdue, timeliness_rate FROM marts.rpt_headline_monthly
               WHERE scheme_id = 'yushui_township_2022'""").fetchall()}
        fallen = con.execute("""SELECT org_name, total_score, rank_change FROM marts.rpt_ranking_monthly
            WHERE period = '2022-11' AND scheme_id = 'yushui_township_2022' AND rank_change < 0""").fetchall()
    assert f"<title>{district} 考核趋势</title>" in front and f"<h1>{district} 考核趋势</h1>" in front
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in front
    reported, overdue, rate = figures["2022-11"]
    assert f"上报事件<b>{reported:,}件</b>" in front and f"超期事件<b>{overdue:,}件</b>" in front
    assert f"处理及时率<b>{rate * 100:.1f}%</b>" in front
    assert f"较上月 {overdue - figures['2022-10'][1]:+,} 件" in front
    assert f"较上月 {(rate - figures['2022-10'][2]) * 100:+.1f} 个百分点" in front
    assert fallen and all(f"↓{-moved}" in front for _, _, moved in fallen)  # the townships that fell, and by how much
    assert "总分（分）" in front and "满分" in front


def test_the_drill_down_shows_units_not_mart_names(dashboard, two_month_warehouse):
    with duckdb.connect(str(two_month_warehouse), read_only=True) as con:
        (township_id,), = con.execute("""SELECT org_id FROM marts.rpt_ranking_monthly
            WHERE period = '2022-11' ORDER BY rank, org_id LIMIT 1""").fetchall()
        (village_id,), = con.execute("""SELECT min(org_id) FROM marts.dim_org_unit WHERE parent_org_id = ?
            AND org_level = 'village'""", [township_id]).fetchall()
    township_page = _get(f"{dashboard}/township?id={township_id}&period=2022-11")
    village_page = _get(f"{dashboard}/village?id={village_id}&period=2022-11")
    for text in (township_page, village_page):
        assert "fct_indicator_monthly" not in text and "marts" not in text
        assert re.search(r"<td>\d{1,3}\.\d%</td>", text)  # rates as percentages
        assert not re.search(r"<td>0\.\d+</td>", text), re.findall(r"<td>0\.\d+</td>", text)  # no bare ratio like 0.93
    assert "（%）" in township_page and "（件/人）" in township_page
    assert "及时率（%）" in village_page and "上报事件（件）" in village_page


def test_the_server_stops_on_sigterm_with_sigint_ignored(two_month_warehouse):
    port = _free_port()
    process = _start(two_month_warehouse, port)
    url = _started(process, port)
    assert "考核趋势" in _get(url + "/")
    assert stop_process(process, grace=20) == -signal.SIGTERM  # ended by SIGTERM, no SIGKILL needed
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
