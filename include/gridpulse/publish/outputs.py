"""A month's outputs: written from the built marts into a hidden folder beside output/<period>/,
every printed figure reconciled against the marts, then swapped in by renames.

Readers see the previous complete outputs or this month's complete outputs, never a mix. A failed
reconciliation raises before any swap: nothing is published. pipeline.publish swaps the warehouse
in between rendering and swapping the outputs in.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from gridpulse import config
from gridpulse.bulletin.build import build_bulletin, output_name
from gridpulse.bulletin.docx_writer import write_docx
from gridpulse.bulletin.reconcile import reconcile
from gridpulse.bulletin.render import write_html
from gridpulse.bulletin.typst_writer import write_pdf
from gridpulse.files.folders import emptied, swap_in
from gridpulse.files.stable import restamp_outputs
from gridpulse.files.workbook import write_csv, write_xlsx
from gridpulse.period import Period
from gridpulse.publish.ranking import ranking_table
from gridpulse.warehouse.marts import MonthMarts, read_month

RANKING_CSV = "ranking.csv"
RANKING_XLSX = "ranking.xlsx"
BULLETIN_FORMATS = {".html": write_html, ".docx": write_docx, ".pdf": write_pdf}


def _staging(period: str) -> Path:
    return config.paths().output / f".{period}.partial"


def _schemes_in_order(marts: MonthMarts) -> list[str]:
    """The month's schemes in the configured order (the first one's bulletin is bulletin.*)."""
    present = set(marts.ranking.scheme_id)
    return [s for s in config.scheme_ids() if s in present] + sorted(present - set(config.scheme_ids()))


def render_all(marts: MonthMarts, staging: Path) -> list:
    """Write every output of the month into staging; return the bulletins (with their figures)."""
    titles = marts.items.drop_duplicates("scheme_id").set_index("scheme_id")
    schemes = _schemes_in_order(marts)
    tables = {str(titles.loc[s, "scheme_title_zh"]): ranking_table(marts, s) for s in schemes}
    write_csv(tables, staging / RANKING_CSV)
    write_xlsx(tables, staging / RANKING_XLSX)
    bulletins = []
    for n, scheme_id in enumerate(schemes):
        bulletin = build_bulletin(marts, scheme_id)
        for suffix, write in BULLETIN_FORMATS.items():
            write(bulletin, staging / (output_name(scheme_id, n == 0) + suffix))
        bulletins.append(bulletin)
    return bulletins


def render_outputs(period: str, built: Path) -> Path:
    """Every output of the month from the marts of `built`, reconciled, in a hidden folder."""
    marts = read_month(built, period)
    staging = emptied(_staging(period))
    bulletins = render_all(marts, staging)
    restamp_outputs(staging, period)  # the same marts give the same bytes, in any run
    for bulletin in bulletins:  # every printed figure again from the marts, before anything is published
        reconcile(bulletin.register, built)
    return staging


def render_following(period: str, built: Path) -> str | None:
    """A month loaded after the month that follows it changes that month's comparison with the
    month before (previous_rank, rank_change; dbt rewrote those rows): when the following month
    is published, render it again from `built` and return it if any of its files would change.
    Its staging folder is then swapped in with swap_in_outputs; unchanged, it is thrown away."""
    following = str(Period.parse(period).following())
    published = config.paths().output / following
    if not published.is_dir():
        return None
    try:
        staging = render_outputs(following, built)
    except LookupError:  # published once, but no longer in the warehouse: nothing to compare
        return None
    if _same_files(staging, published):
        shutil.rmtree(staging)
        return None
    return following


def _same_files(one: Path, other: Path) -> bool:
    names = sorted(p.name for p in one.iterdir())
    return names == sorted(p.name for p in other.iterdir()) and all(
        (one / name).read_bytes() == (other / name).read_bytes() for name in names)


def swap_in_outputs(period: str) -> dict[str, str]:
    """The rendered outputs become output/<period>/ by renames; return them by name."""
    return swap_in(_staging(period), config.paths().output / period)
