"""The tables of a grid bulletin (seed 002): events by category with shares and a 合计 row, the
dispatched agencies' handling ('/' where an agency had nothing), and the grid evaluation table
(blank means full marks, deductions shown, the 附加分 column)."""
from __future__ import annotations

from gridpulse.bulletin.document import Paragraph, Table
from gridpulse.bulletin.month import Month


def _scope(month: Month):
    """The unit the export covers: its categories are those of the district rows."""
    categories = month.marts.frames["categories"]
    return categories[categories.org_level == "district"].sort_values(["category_rank", "category"])


def categories(month: Month) -> list:
    rows = _scope(month).to_dict("records")
    take = lambda r, c: month.register.take("rpt_event_categories_monthly", r, ("period", "org_id", "category"), c)  # noqa: E731
    counts = [take(r, "events") for r in rows]
    total = month.register.sum(counts)
    shares = [month.share(n, total) for n in counts]
    text = (f"本月共上报事件{total}条。其中"
            + "；".join(f"{r['category']}{n}条，占{s}" for r, n, s in zip(rows, counts, shares)) + "。")
    table = Table(f"{month.period[:4]}年{month.period[5:]}月信息报送情况", ["类型", "数量", "占比"],
                  [[r["category"], str(n), str(s)] for r, n, s in zip(rows, counts, shares)]
                  + [["合计", str(total), str(month.share(total, total))]])
    return [Paragraph(text), table]


def agencies(month: Month) -> list:
    rows = month.marts.frames["agencies"].to_dict("records")
    take = lambda r, c: month.register.take("rpt_agency_handling_monthly", r, ("period", "agency_id"), c)  # noqa: E731
    table_rows = []
    for r in rows:
        handled, transfers, closed = take(r, "events_handled"), take(r, "transfers"), take(r, "events_closed")
        agency = str(month.name(r["agency_id"]))  # an agency is an org unit: its name is checked like a township's
        if handled.printed == "0":
            table_rows.append([agency, "/", "/", "/", "/"])
        else:
            table_rows.append([agency, str(handled), str(transfers), str(closed), str(month.share(closed, handled))])
    return [Table(f"{month.period[:4]}年{month.period[5:]}月派驻机构事件处理情况", ["基层站所", "办理数", "流转数", "结案数", "结案率"],
                  table_rows),
            Paragraph(f"结案数截止{month.period[5:]}月{_last_day(month.period)}日。")]


def _zero(figure) -> bool:
    """A deduction or bonus printed as nothing: the table shows full marks as a blank."""
    return figure.printed != "/" and float(figure.printed) == 0


def _last_day(period: str) -> int:
    import calendar

    return calendar.monthrange(int(period[:4]), int(period[5:]))[1]


def evaluation(month: Month) -> Table:
    units = month.marts.org_units.set_index("org_id")
    items = list(month.items.itertuples())
    # the item's points on a line of their own without brackets: 11 columns of "（20分）" would not
    # fit a portrait page, and the grouped header keeps 60 + 30 + 10 columns narrow (seed 002's form)
    header = ["单位", "网格"] + [f"{i.label_zh}\n{i.weight:g}分" if i.weight else i.label_zh for i in items] + ["总分"]
    group = [i.group_zh if isinstance(i.group_zh, str) else "" for i in items]  # 附加分 has none (NaN)
    points = {g: sum(i.weight for i, h in zip(items, group) if h == g) for g in set(group) if g}
    groups = ["", ""] + [f"{g}{points[g]:g}分" if g else "" for g in group] + [""]
    scores = month.scores.set_index(["org_id", "item_id"])
    ranking = month.ranking.assign(parent=lambda f: f.org_id.map(units.parent_org_id))
    rows, highlight = [], set()
    for r, grid in enumerate(ranking.sort_values(["parent", "org_id"]).to_dict("records")):
        cells = [str(month.name(grid["parent"])), str(month.name(grid["org_id"]))]
        printed = []
        for c, item in enumerate(items, start=2):
            row = scores.loc[(grid["org_id"], item.item_id)].to_dict() | {"org_id": grid["org_id"], "item_id": item.item_id}
            if item.rule == "adjustment":
                figure = month.score(row, "score")
                cells.append("" if _zero(figure) else ("+" if row["score"] > 0 else "") + figure.printed)
            else:
                figure = month.score(row, "points_deducted")
                cells.append("" if _zero(figure) else figure.printed)
                if not _zero(figure):
                    highlight.add((r, c))
            printed.append(figure)
        total = month.rank(grid, "total_score", "score")
        rows.append(cells + [str(total)])
    return Table(f"{month.period[:4]}年{int(month.period[5:])}月网格有效运行体系指标评价表（空白为满分）", header, rows, 2, highlight,
                 groups)
