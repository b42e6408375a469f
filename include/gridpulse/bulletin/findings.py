"""Section 二 存在的问题, written by rules over the marts: the lowest units, the units below each
item's full score, where non-compliant workers concentrate, and the change from last month.

The rules read right for a district of 3 units, 17 or 1,105: a unit ranked first or at full marks
is never called 靠后, units tied at a value are named whole (or counted, beyond `tied_names_most`),
and every name, rank and tie goes through the register, so reconciliation checks them."""
from __future__ import annotations

import math

import pandas as pd

from gridpulse.bulletin.document import Heading, Paragraph
from gridpulse.bulletin.month import Month, joined_names

# worker quotas whose shortfall is counted per unit: indicator -> what the workers did not do
WORKER_QUOTAS = {
    "worker_event_quota_rate": "未完成事件上报任务",
    "worker_hazard_quota_rate": "未完成隐患排查任务",
    "patrol_compliance_rate": "未完成每日巡查任务",
}


def _tied(month: Month, rows: list[dict], mart: str, key: tuple[str, ...], column: str, decimals: int,
          printed: str, unit_word: str, most: int) -> str:
    """The units at one printed value, named whole (every unit the mart has at that value is
    checked to be here). Beyond `most` units a list stops being read: the count is printed and
    the names are left to the ranking workbook."""
    if len(rows) > most:
        month.register.tie(mart, rows[0], key, column, decimals, printed, [], count=str(len(rows)))
        return f"{len(rows)}个{unit_word}（名单见考核排名表）"
    names = [month.unit_name(r["org_id"]) for r in rows]
    month.register.tie(mart, rows[0], key, column, decimals, printed, names)
    return joined_names(names)


def lower_part(month: Month, within: float):
    """The units that can be called 靠后: ranked in the lower `within` share of the ranking (never
    first, whatever the district's size: with three units only the third), and below full marks."""
    ranking = month.ranking
    full = float(month.items.weight.sum())
    bar = math.ceil(len(ranking) * (1 - within))
    return ranking[(ranking["rank"] > max(bar, 1)) & (ranking.total_score.astype(float) < full)]


def lowest_units(month: Month, n: int, within: float, unit_word: str, most: int) -> str | None:
    """The n lowest totals among the units that can be called 靠后; a unit tied with the n-th is
    named too, so no tie is cut in half."""
    lower = lower_part(month, within).sort_values(["total_score", "org_id"])
    if lower.empty or n <= 0:
        return None
    boundary = lower.total_score.iloc[min(n, len(lower)) - 1]
    bottom = lower[lower.total_score <= boundary]
    named = []
    for _total, tied in bottom.groupby("total_score", sort=True):
        rows = tied.to_dict("records")
        printed = month.rank(rows[0], "total_score", "score")
        who = _tied(month, rows, "rpt_ranking_monthly", ("period", "scheme_id"), "total_score", printed.decimals, str(printed),
                    unit_word, most)
        named.append(f"{who}（{printed}分，第{month.rank(rows[0], 'rank')}名）")
    return f"总分排名靠后的{unit_word}：{joined_names(named)}。"


def below_standard(month: Month, unit_word: str, most: int) -> list[str]:
    lines = []
    for item in month.items.itertuples():
        if item.weight <= 0:
            continue
        short = month.scores[(month.scores.item_id == item.item_id) & (month.scores.score < month.scores.weight)]
        if short.empty:
            continue
        lowest = short[short.score == short.score.min()].sort_values("org_id").to_dict("records")
        printed = month.score(lowest[0], "score")
        who = _tied(month, lowest, "fct_score_monthly", ("period", "scheme_id", "item_id"), "score", printed.decimals,
                    str(printed), unit_word, most)
        lines.append(f"{item.label_zh}（{item.weight:g}分）：{len(short)}个{unit_word}未得满分，得分最低的是{who}（{printed}分）。")
    return lines


def concentration(month: Month, n: int) -> list[str]:
    """Per worker quota: the district's workers short of it, and the share of the n units with most."""
    lines = []
    for indicator_id, what in WORKER_QUOTAS.items():
        item = month.item(indicator_id)
        if item is None:
            continue
        district = month.indicator(item.item_id)
        if district.empty:
            continue
        row = district.iloc[0].to_dict()
        short_all = month.register.difference(month.ind(row, "denominator"), month.ind(row, "numerator"))
        if short_all.printed in ("0", "/"):
            continue
        towns = month.indicator(item.item_id, "township").to_dict("records")
        towns = sorted(towns, key=lambda r: (-(r["denominator"] - r["numerator"]), r["org_id"]))[:n]
        towns = [t for t in towns if t["denominator"] > t["numerator"]]
        shorts = [month.register.difference(month.ind(t, "denominator"), month.ind(t, "numerator")) for t in towns]
        named = joined_names(f"{month.unit_name(t['org_id'])}{s}名" for t, s in zip(towns, shorts))
        top = month.register.sum(shorts)
        lines.append(f"{month.words['whole']}{what}的网格员{short_all}名，主要集中在{named}，共{top}名，占{month.share(top, short_all)}。")
    return lines


def rank_changes(month: Month) -> str | None:
    moved = month.ranking[month.ranking.previous_rank.notna()]
    if moved.empty:
        return None
    down = moved[moved.rank_change < 0].sort_values(["rank_change", "org_id"]).to_dict("records")
    up = moved[moved.rank_change > 0].sort_values(["rank_change", "org_id"], ascending=[False, True]).to_dict("records")
    parts = []
    if down:
        parts.append("排名下降的有" + joined_names(f"{month.unit_name(u['org_id'])}（由第{month.rank(u, 'previous_rank')}名降至第{month.rank(u, 'rank')}名）" for u in down))
    if up:
        parts.append("排名上升的有" + joined_names(f"{month.unit_name(u['org_id'])}（由第{month.rank(u, 'previous_rank')}名升至第{month.rank(u, 'rank')}名）" for u in up))
    # the month before was scored under the scheme's earlier version: ranks compare, totals do not
    since = "与上月（按调整前方案评分）相比，" if bool(moved.get("across_scheme_change", pd.Series(dtype=bool)).fillna(False).any()) else "与上月相比，"
    return since + "；".join(parts) + "。" if parts else since + "各单位排名没有变化。"


def section_two(month: Month, settings: dict, unit_word: str) -> list:
    groups = [
        ("总分排名", [lowest_units(month, int(settings["lowest_units"]), float(settings["lowest_units_within"]),
                                   unit_word, int(settings["tied_names_most"]))]),
        ("单项未达标", below_standard(month, unit_word, int(settings["tied_names_most"]))),
        ("网格员任务完成", concentration(month, int(settings["concentration_units"]))),
        ("与上月相比", [rank_changes(month)]),
    ]
    blocks = []
    numerals = "一二三四五六七八九十"
    n = 0
    for title, lines in groups:
        lines = [line for line in lines if line]
        if not lines:
            continue
        blocks.append(Heading(f"（{numerals[n]}）{title}", 2))
        blocks += [Paragraph(line) for line in lines]
        n += 1
    return blocks
