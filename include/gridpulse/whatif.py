"""What-if: re-score a published month under a draft scheme, apart from what analysts see.

A district changes its rules once a year and wants to see the effect first. The draft is checked
like any scheme, then a scratch copy of the published warehouse gets the draft in raw (replacing
the scheme of the same id, if any) and dbt rebuilds what depends on the schemes in that copy. The
published warehouse is only read: its file, marts and outputs stay exactly as they were.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from gridpulse import config
from gridpulse.load.raw import connect, replace_table
from gridpulse.period import Period
from gridpulse.schemes import SCHEME_COLUMNS, SchemeError, applies_to, frames_of, load_scheme
from gridpulse.transform.dbt import run_dbt

# everything downstream of the scheme tables, with its tests
SCHEME_DEPENDENTS = "source:raw.schemes+ source:raw.scheme_items+ source:raw.scheme_params+"


@dataclass
class WhatIf:
    period: str
    draft_id: str
    baseline_id: str
    warehouse: Path            # the scratch warehouse holding the draft's marts
    comparison: pd.DataFrame   # one row per unit: published and draft total and rank


def _schemes_with(draft: dict) -> list[dict]:
    """The configured schemes with the draft in place of the one of the same id."""
    kept = [load_scheme(i) for i in config.scheme_ids() if i != draft["scheme_id"]]
    return kept + [draft]


def _baseline(draft: dict, period: str, against: str | None) -> str:
    """The published scheme the draft is compared with: named, else the same id, else the one
    scheme of the draft's level in force that month."""
    if against:
        return against
    if draft["scheme_id"] in config.scheme_ids():
        return draft["scheme_id"]
    same_level = [i for i in config.scheme_ids()
                  if (s := load_scheme(i))["org_level"] == draft["org_level"] and applies_to(s, period)]
    if len(same_level) != 1:
        raise SchemeError(f"{period}: {len(same_level)} published {draft['org_level']} schemes are in force; "
                          "name the one to compare with (--against)")
    return same_level[0]


def _scratch_copy(period: str, draft_id: str) -> Path:
    published = config.paths().warehouse
    if not published.exists():
        raise FileNotFoundError(f"{published} does not exist: publish a month before trying a draft on it")
    scratch = published.parent / "whatif" / f"{period}-{draft_id}.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.unlink(missing_ok=True)
    shutil.copy2(published, scratch)
    return scratch


def _ranking(warehouse: Path, period: str, scheme_id: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT org_id, org_name, total_score, rank FROM marts.rpt_ranking_monthly "
            "WHERE period = ? AND scheme_id = ? ORDER BY rank, org_id", [period, scheme_id]).df()
    finally:
        con.close()


def compare(published: pd.DataFrame, draft: pd.DataFrame) -> pd.DataFrame:
    """Per unit: both totals and ranks, and how they change (a positive rank_change moves up)."""
    both = published.merge(draft, on=["org_id", "org_name"], how="inner", suffixes=("_published", "_draft"))
    both["score_change"] = (both.total_score_draft - both.total_score_published).round(2)
    both["rank_change"] = both.rank_published - both.rank_draft
    return both.sort_values(["rank_draft", "org_id"]).reset_index(drop=True)


def rescore(month: Period, draft_file: Path, against: str | None = None) -> WhatIf:
    period = str(month)
    draft_file = Path(draft_file)
    draft = load_scheme(draft_file.stem, draft_file.parent)
    if not applies_to(draft, period):
        raise SchemeError(f"{draft_file.name}: the draft is not in force in {period} "
                          f"(valid_from {draft.get('valid_from')}, valid_to {draft.get('valid_to')})")
    baseline_id = _baseline(draft, period, against)
    published = _ranking(config.paths().warehouse, period, baseline_id) if config.paths().warehouse.exists() else None
    if published is None or published.empty:
        raise LookupError(f"{period} has no published ranking under {baseline_id}: run the month first")
    scratch = _scratch_copy(period, draft["scheme_id"])
    con = connect(scratch)
    try:
        for name, frame in frames_of(_schemes_with(draft)).items():
            replace_table(con, name, SCHEME_COLUMNS[name], frame)
    finally:
        con.close()
    run_dbt("build", "--select", *SCHEME_DEPENDENTS.split(), warehouse=scratch, period=period)
    comparison = compare(published, _ranking(scratch, period, draft["scheme_id"]))
    return WhatIf(period, draft["scheme_id"], baseline_id, scratch, comparison)


def report(result: WhatIf) -> str:
    """The comparison as the text the command prints."""
    lines = [f"{result.period}: {result.draft_id} (draft) against {result.baseline_id} (published)",
             f"{'单位':<8}\t{'现总分':>8}\t{'试算总分':>8}\t{'变化':>7}\t现排名\t试算排名\t名次变化"]
    for row in result.comparison.itertuples():
        lines.append(f"{row.org_name:<8}\t{row.total_score_published:>8.2f}\t{row.total_score_draft:>8.2f}\t"
                     f"{row.score_change:>+7.2f}\t{row.rank_published:>6}\t{row.rank_draft:>8}\t{row.rank_change:>+8}")
    lines.append(f"draft marts: {result.warehouse} (the published warehouse is unchanged)")
    return "\n".join(lines)
