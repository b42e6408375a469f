"""Publish the rollup of a month: the rollup warehouse rebuilt from the districts' published
warehouses, the workbook and the short bulletin rendered from it and reconciled against it, then
both swapped in. Nothing of a district is written; a failure publishes nothing."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from gridpulse.bulletin.document import Table
from gridpulse.bulletin.reconcile import reconcile
from gridpulse.config import Deployment
from gridpulse.files.folders import emptied, swap_in
from gridpulse.files.stable import restamp_outputs
from gridpulse.files.workbook import write_xlsx
from gridpulse.publish.outputs import BULLETIN_FORMATS
from gridpulse.rollup.bulletin import build_rollup_bulletin
from gridpulse.rollup.status import DistrictMonth, month_states
from gridpulse.rollup.tables import read_rollup, rollup_settings
from gridpulse.rollup.warehouse import build_rollup_warehouse

NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(text: str):
    """A printed figure as the number it prints (so the workbook sums and sorts); rates and '/' stay text."""
    return (float(text) if "." in text else int(text)) if NUMBER.fullmatch(text) else text


def _frame(table: Table, heading: str, period: str) -> pd.DataFrame:
    frame = pd.DataFrame([[_cell(c) for c in row] for row in table.rows], columns=table.header)
    frame.attrs.update(heading=heading, period=period)
    return frame


def _states_frame(states: list[DistrictMonth], heading: str, period: str) -> pd.DataFrame:
    frame = pd.DataFrame([[s.district.code, s.district.name, (s.district.city or {}).get("name", ""), s.state_zh]
                          for s in states], columns=["县（区）编码", "县（区）", "所属市", "本月状态"])
    if not frame["所属市"].any():
        frame = frame.drop(columns="所属市")
    frame.attrs.update(heading=heading, period=period)
    return frame


def render_rollup(deployment: Deployment, period: str, warehouse: Path, staging: Path) -> None:
    settings = rollup_settings()
    states = month_states(deployment, period)
    rows = read_rollup(warehouse, period)
    bulletin = build_rollup_bulletin(deployment, rows, states, settings)
    month_zh = f"{period[:4]}年{int(period[5:])}月"
    tables = {"各县（区）报送情况": _states_frame(states, f"{deployment.name}{month_zh}各县（区）报送情况", period)}
    for block in [b for b in bulletin.blocks + bulletin.appendix if isinstance(b, Table)]:
        tables[block.caption] = _frame(block, f"{deployment.name}{month_zh}{block.caption}", period)
    write_xlsx(tables, staging / settings["files"]["workbook"])
    for suffix, write in BULLETIN_FORMATS.items():
        write(bulletin, staging / (settings["files"]["bulletin"] + suffix))
    restamp_outputs(staging, period)
    reconcile(bulletin.register, warehouse)  # every printed figure again from the rollup's marts


def publish_rollup(deployment: Deployment, period: str) -> dict[str, str]:
    """Rebuild, render, reconcile and swap in the rollup of the month; return its files by name."""
    building = build_rollup_warehouse(deployment)
    target = deployment.rollup_output / period
    staging = emptied(target.with_name(f".{period}.staging"))
    render_rollup(deployment, period, building, staging)
    os.replace(building, deployment.rollup_warehouse)
    return swap_in(staging, target)
