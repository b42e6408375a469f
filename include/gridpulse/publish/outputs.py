"""Publish a month: write output/<period>/ from the built marts, then swap in the warehouse and
the outputs.

Files are written into a hidden folder beside the target and swapped in by renames, so readers
see the previous complete outputs or this month's complete outputs, never a mix.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from gridpulse import config
from gridpulse.bulletin.render import render_html
from gridpulse.publish.marts import read_month
from gridpulse.publish.ranking import ranking_table
from gridpulse.publish.warehouse import readable, swap_in
from gridpulse.publish.workbook import write_csv, write_xlsx

RANKING_CSV = "ranking.csv"
RANKING_XLSX = "ranking.xlsx"
BULLETIN_HTML = "bulletin.html"


def _swap_in(staging: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def publish_outputs(period: str) -> dict[str, str]:
    paths = config.paths()
    marts = read_month(readable(), period)
    titles = marts.items.drop_duplicates("scheme_id").set_index("scheme_id")
    tables = {}
    for scheme_id in marts.ranking.scheme_id.unique():
        tables[str(titles.loc[scheme_id, "scheme_title_zh"])] = ranking_table(marts, scheme_id)
    target = paths.output / period
    staging = paths.output / f".{period}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    write_csv(tables, staging / RANKING_CSV)
    write_xlsx(tables, staging / RANKING_XLSX)
    render_html(marts, tables, staging / BULLETIN_HTML)
    swap_in()  # the warehouse first: outputs never show figures analysts cannot query
    _swap_in(staging, target)
    return {name: str(target / name) for name in (RANKING_XLSX, RANKING_CSV, BULLETIN_HTML)}
