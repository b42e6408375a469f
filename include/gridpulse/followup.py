"""Follow-up lists (点对点督促): for each township, its own grid workers who fell short of the
township scheme this month, by name, so that the township can follow up worker by worker.

The one place names are read. Who fell short comes from the warehouse's own per-worker
indicators (intermediate.int_indicator_worker, the figures the scores add up); the names come
from the restricted store (load/personal.py), attached read-only here and nowhere else that
analysts reach; the lists are written to the restricted folder,
one workbook per township, for delivery to that township's recipients only. Nothing here is
printed or logged: a list's contents exist only in its file.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from gridpulse import config
from gridpulse.files.safe_paths import inside
from gridpulse.files.stable import month_end_stamp, restamp_zip
from gridpulse.files.workbook import FONT, safe_text
from gridpulse.load.personal import personal_store
from gridpulse.period import Period
from gridpulse.private_files import make_private

FOLDER = "followup"
# The worker's own figures beside each listed item, as the township reads them.
COLUMNS = {
    "worker_id": "网格员编号", "worker_name": "姓名", "grid_name": "所属网格", "village_name": "所属村（社区）",
    "items_short": "未达标项目", "events_reported": "本月上报事项（件）", "valid_hazard_events": "有效安全隐患事项（件）",
    "workdays_patrolled": "有巡查的工作日（天）", "workdays": "工作日（天）", "min_workday_patrol_minutes": "工作日最少巡查（分钟）",
}

SHORTFALLS = """
    SELECT w.township_id, w.org_id AS worker_id, string_agg(i.label_zh, '、' ORDER BY i.display_order) AS items_short
    FROM intermediate.int_indicator_worker AS w
    JOIN marts.dim_scheme_item AS i ON i.scheme_id = w.scheme_id AND i.item_id = w.item_id
        AND i.valid_from <= $period AND (i.valid_to IS NULL OR i.valid_to >= $period)
    WHERE w.period = $period AND i.scored_org_level = $level AND list_contains($items, w.item_id) AND w.value < 1
    GROUP BY w.township_id, w.org_id
"""

DETAILS = """
    SELECT m.worker_id, m.township_id, names.worker_name, grid.org_name AS grid_name, village.org_name AS village_name,
           m.events_reported, m.valid_hazard_events, m.workdays_patrolled, m.workdays, m.min_workday_patrol_minutes
    FROM intermediate.int_worker_monthly AS m
    JOIN personal.grid_workers AS names ON names.period = m.period AND names.worker_id = m.worker_id
    LEFT JOIN intermediate.int_org_hierarchy AS h ON h.period = m.period AND h.org_id = m.grid_id
    LEFT JOIN marts.dim_org_unit AS grid ON grid.org_id = m.grid_id
    LEFT JOIN marts.dim_org_unit AS village ON village.org_id = h.village_id
    WHERE m.period = $period
"""

TOWNSHIPS = "SELECT org_id AS township_id, org_name FROM marts.dim_org_unit WHERE org_level = 'township' ORDER BY org_id"


def _read(warehouse: Path, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = config.followup()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(f"ATTACH '{personal_store()}' AS personal (READ_ONLY)")
        params = {"period": period, "level": settings.get("scheme_level", "township"), "items": list(settings["items"])}
        short = con.execute(SHORTFALLS, params).df()
        details = con.execute(DETAILS, {"period": period}).df()
        townships = con.execute(TOWNSHIPS).df()
    finally:
        con.close()
    listed = short.merge(details.drop(columns="township_id"), on="worker_id", how="left")
    return townships, listed.sort_values(["township_id", "worker_id"])


def _write(path: Path, township: str, period: Period, workers: pd.DataFrame) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "点对点督促"
    # the township's name comes from the export: a name like "=…" must stay text here too
    sheet.append([safe_text(f"{township} {period.year}年{period.month}月未达标网格员名单（含个人信息，仅限本乡镇（街道）督促使用）")])
    sheet.append(list(COLUMNS.values()))
    for row in workers[list(COLUMNS)].itertuples(index=False):
        sheet.append([safe_text(v.item() if hasattr(v, "item") else v) for v in row])
    for row in sheet.iter_rows():
        for cell in row:
            cell.font = Font(name=FONT, bold=cell.row <= 2)
    sheet.freeze_panes = "A3"
    book.save(path)
    restamp_zip(path, month_end_stamp(period))
    os.chmod(path, 0o600)


def file_name(name: str, code: str, period: Period) -> str:
    """The list's file name, which its recipients see: the unit's name and code and the month,
    e.g. 城南街道（330102001）2022年11月未达标网格员名单.xlsx. The name comes from the export:
    anything a file system or mail client would take for a path or a control is replaced."""
    readable = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", str(name)).strip(" ._")[:40] or code
    return f"{readable}（{code}）{period.year}年{period.month}月未达标网格员名单.xlsx"


def build_followup_lists(month: Period) -> dict[str, Path]:
    """Write one workbook per township into <restricted>/followup/<period>/ and return them by
    township code. Every township gets its list, an empty one saying all its workers met the
    standard. Read from the published warehouse, so a list always matches a published month."""
    townships, listed = _read(config.paths().warehouse, str(month))
    restricted = config.paths().restricted
    target = inside(restricted, FOLDER, str(month))
    staging = inside(restricted, FOLDER, f".{month}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    names = {t.township_id: file_name(t.org_name, t.township_id, month) for t in townships.itertuples()}
    for township in townships.itertuples():  # names from the export, cleaned and checked: never followed
        _write(inside(staging, names[township.township_id]), township.org_name, month,
               listed[listed.township_id == township.township_id])
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)  # a township never gets half of this month's lists
    shutil.rmtree(old, ignore_errors=True)
    make_private(config.paths().restricted)  # 0700 folders and 0600 files, whatever the umask
    return {code: target / name for code, name in names.items()}
