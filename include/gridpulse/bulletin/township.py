"""Section 一 of a township bulletin: the ten numbered paragraphs of the district's figures and the
scorecard, every figure taken from a mart through the register."""
from __future__ import annotations

from gridpulse.bulletin.document import Heading, Paragraph, Table
from gridpulse.bulletin.month import Month, joined_names

FOUND_LEVELS = [("township", "乡镇（街道）"), ("village", "村（居）"), ("grid", "网格")]


def _district_fraction(month: Month, indicator_id: str):
    """(item, the district's indicator row) for the scheme's item scoring an indicator, if any."""
    item = month.item(indicator_id)
    if item is None:
        return None, None
    rows = month.indicator(item.item_id)
    return item, (rows.iloc[0].to_dict() if len(rows) else None)


def attendance(month: Month) -> str:
    workers, online = month.head("grid_workers"), month.head("workers_online")
    return f"{month.words['whole']}共有网格员{workers}名，出勤网格员{online}名，出勤率{month.share(online, workers)}。"


def patrol(month: Month) -> str:
    item, row = _district_fraction(month, "patrol_compliance_rate")
    if row is None:
        return "本月考核方案未考核网格巡查。"
    done, workers = month.ind(row, "numerator"), month.ind(row, "denominator")
    return (f"{month.words['whole']}完成每日巡查任务（{month.head('workdays')}个工作日）的网格员{done}名，"
            f"网格员巡查达标率{month.share(done, workers)}。")


def visits(month: Month) -> str:
    members, visited = month.head("special_population"), month.head("special_population_visited")
    kinds = "、".join(month.platform_words["special_population"])
    return f"{kinds + '等' if kinds else ''}特殊人群共{members}名，已走访{visited}名，走访率{month.share(visited, members)}。"


def logins(month: Month, low_rate: float) -> str:
    full, low = [], []
    for row in month.activity.to_dict("records"):
        rate = month.share(month.town(row, "admin_login_days"), month.town(row, "admin_account_workdays"))
        if row["admin_login_days"] == row["admin_account_workdays"]:
            full.append(month.name(row["township_id"]))
        elif row["admin_login_rate"] is not None and row["admin_login_rate"] < low_rate:
            low.append(f"{month.name(row['township_id'])}（{rate}）")
    text = f"本月{joined_names(full)}的管理员账号登录率达100%" if full else "本月没有管理员账号登录率达100%的单位"
    if low:
        text += f"；{joined_names(low)}的管理员账号登录率不到{low_rate * 100:g}%"
    return text + "。"


def events(month: Month) -> list[str]:
    reported, carried = month.head("events_reported"), month.head("carried_over_events")
    valid, invalid, overdue = month.head("events_valid"), month.head("events_invalid"), month.head("events_overdue")
    per_10k = month.head("events_per_10k_residents", "average")
    lines = [f"（1）{month.words['whole']}本月新上报事项{reported}件（另有上月结转{carried}件），每万人上报事项{per_10k}件。",
             f"（2）有效事项{valid}件，无效事项{invalid}件，事件有效率{month.share(valid, reported)}；"
             f"逾期事项{overdue}件，事项处理及时率{month.share(month.register.difference(valid, overdue), valid)}。"]
    _, per_worker = _district_fraction(month, "events_per_worker")
    if per_worker is not None:
        lines.append(f"（3）网格员共上报事项{month.ind(per_worker, 'numerator')}件，"
                     f"网格员人均上报事项{month.ind(per_worker, 'value', 'average')}件（合格值{month.ind(per_worker, 'standard')}件/月）。")
    quota, row = _district_fraction(month, "worker_event_quota_rate")
    if row is not None:
        done, workers = month.ind(row, "numerator"), month.ind(row, "denominator")
        short = [r["org_id"] for r in month.indicator(quota.item_id, "township").to_dict("records") if r["numerator"] < r["denominator"]]
        lines.append(f"（4）{month.words['whole']}完成事件上报任务的网格员{done}名，达标率{month.share(done, workers)}。"
                     + (f"本月不达标单位有{month.units(short)}。" if short else "各单位均达标。"))
    return lines


def disputes(month: Month) -> list[str]:
    levels = month.marts.frames["disputes"]
    district = levels[levels.org_level == "district"].set_index("found_level")
    total, resolved = month.head("disputes"), month.head("disputes_resolved")
    text = f"（1）{month.words['whole']}共排查各类矛盾纠纷{total}件，化解成功{resolved}件，成功率为{month.share(resolved, total)}"
    parts = []
    for level, label in FOUND_LEVELS:
        if level not in district.index:
            continue
        row = district.loc[level].to_dict() | {"found_level": level}
        found, done = _level(month, row, "disputes"), _level(month, row, "disputes_resolved")
        parts.append(f"{label}排查{found}件，占总数的{month.share(found, total)}，化解成功{done}件，成功率为{month.share(done, found)}")
    lines = [text + ("。其中，" + "；".join(parts) if parts else "") + "。"]
    item, row = _district_fraction(month, "disputes_per_village_centre")
    if row is not None:
        lines.append(f"（2）{month.words['whole']}{month.ind(row, 'denominator')}个{month.words['villages']}综治中心，共上报矛盾纠纷事项"
                     f"{month.ind(row, 'numerator')}件，平均上报{month.ind(row, 'value', 'average')}件（合格值{month.ind(row, 'standard')}件/月）。")
    return lines


def _level(month: Month, row: dict, column: str):
    return month.register.take("rpt_disputes_by_level_monthly", row, ("period", "org_id", "found_level"), column)


def centres(month: Month) -> str:
    item = month.item("events_per_township_centre")
    if item is None:
        item = month.item("township_centre_quota_rate")
    if item is None:
        return "本月考核方案未考核乡镇（街道）本级综治中心。"
    short = month.scores[(month.scores.item_id == item.item_id) & (month.scores.score < month.scores.weight)]
    short_units = list(short.sort_values(["score", "org_id"]).org_id)
    for row in short.to_dict("records"):
        month.score(row)  # the units named are those whose printed score is below the weight
    rule = (f"乡镇（街道）本级综治中心每月上报事项不少于{item.standard:g}件" if item.indicator_id == "events_per_township_centre"
            else item.rule_text_zh or item.label_zh)
    return f"按照{rule}的要求，" + (f"{month.units(short_units)}不达标。" if short_units else f"{month.words['units']}均达标。")


def volunteers(month: Month) -> str:
    rows = [r for r in month.activity.to_dict("records") if r["volunteer_events"] > 0]
    events_ = [month.town(r, "volunteer_events") for r in rows]
    closed = [month.town(r, "volunteer_events_closed") for r in rows]
    if not rows:
        return "本月各单位均未通过平安志愿者APP上报事件。"
    total, total_closed = month.register.sum(events_), month.register.sum(closed)
    return (f"本月平安志愿者有效上报事件{total}件，办结{total_closed}件，办结率{month.share(total_closed, total)}。"
            f"开展此项工作的有{month.units(r['township_id'] for r in rows)}。")


def quality(month: Month) -> str:
    rows = [r for r in month.activity.to_dict("records") if r["quality_nominated_events"] > 0]
    if not rows:
        return "本月各单位均未参与事件评优。"
    best = [(r, month.town(r, "quality_best_events")) for r in rows if r["quality_best_events"] > 0]
    best.sort(key=lambda pair: -pair[0]["quality_best_events"])
    text = f"本月有{joined_names(month.name(r['township_id']) for r in rows)}参与事件评优"
    if best:
        # each unit by its full name, as the seed prints it: 其中罗坊镇10件、南安乡3件
        each = joined_names(f"{month.name(r['township_id'])}{n}件" for r, n in best)
        text += f"，其中{each}被市里评为最优，共{month.register.sum([n for _, n in best])}件"
    return text + "。"


def scorecard(month: Month) -> Table:
    """The printed scorecard: rank, unit, the items (weight in the header), total; cells below
    the item's weight are marked."""
    header = ["排名", "乡镇（办）"] + [f"{i.label_zh}（{i.weight:g}）" for i in month.items.itertuples()] + ["总分"]
    rows, highlight = [], set()
    # each unit's row of each item, looked up in a dict: a pandas lookup per cell was most of the
    # scorecard's time (a 1,105-row scorecard has 12,000 cells)
    scores = {(row["org_id"], row["item_id"]): row for row in month.scores.to_dict("records")}
    for r, unit in enumerate(month.ranking.to_dict("records")):
        cells = [month.rank(unit, "rank"), month.name(unit["org_id"])]
        printed = []
        for c, item in enumerate(month.items.itertuples(), start=2):
            score_row = scores[(unit["org_id"], item.item_id)]
            figure = month.score(score_row, "score")
            printed.append(figure)
            cells.append(figure)
            if item.weight > 0 and score_row["score"] < item.weight:
                highlight.add((r, c))
        total = month.rank(unit, "total_score", "score")
        month.register.check_sum(printed, total)
        rows.append([str(c) for c in cells + [total]])
    return Table(f"{month.period[:4]}年{int(month.period[5:])}月{month.words['units']}考核指标得分情况（百分制）", header, rows, 2, highlight)


def section_one(month: Month, settings: dict) -> list:
    paragraphs = [
        ("网格员出勤（在线）情况", [attendance(month)]),
        ("网格巡查情况", [patrol(month)]),
        ("特殊人群走访情况", [visits(month)]),
        ("管理员账号登录情况", [logins(month, float(settings["low_login_rate"]))]),
        ("事件处理完成情况", events(month)),
        ("矛盾纠纷排查调处情况", disputes(month)),
        ("乡镇（街道）本级综治中心上报情况", [centres(month)]),
        ("平安志愿者APP运行情况", [volunteers(month)]),
        ("优质事件情况", [quality(month)]),
    ]
    blocks = []
    for n, (title, texts) in enumerate(paragraphs, start=1):
        blocks.append(Heading(f"{n}、{title}", 3))
        blocks += [Paragraph(t) for t in texts]
    blocks.append(Heading(f"{len(paragraphs) + 1}、{month.words['units']}考核指标得分情况（百分制）", 3))
    blocks.append(scorecard(month))
    return blocks
