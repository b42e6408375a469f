"""The trends page and its drill-down pages (township → villages → grids) as HTML.

Laid out for a leader's phone first (a 360-430 px screen): the viewport tag, charts that scale to
the width they have, the district's headline figures as cards, and every figure with its unit
(%, 件, 分). Tables wider than a phone scroll sideways inside their own box; the page never does."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from gridpulse.dashboard import queries, svg

# The font comes from the server (FONT_URL): a machine without a Chinese font would show boxes.
FONT_URL = "/fonts/NotoSansSC-Regular.otf"
STYLE = ('@font-face{font-family:"Grid Pulse Sans";src:url("' + FONT_URL + '") format("opentype")}'
         'body{font-family:"Grid Pulse Sans","Noto Sans SC","Microsoft YaHei",sans-serif;margin:12px;color:#222;'
         "max-width:1100px;overflow-wrap:anywhere}"
         "h1{font-size:22px;margin:4px 0 6px}h2{font-size:17px;margin:22px 0 6px}"
         ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}"
         ".card{border:1px solid #ddd;border-radius:6px;padding:6px 10px}.card b{display:block;font-size:20px}"
         ".card small{color:#555}"
         ".scroll{overflow-x:auto;max-width:100%}svg.chart{display:block;width:100%;height:auto;max-width:600px}"
         "table{border-collapse:collapse;margin:6px 0 16px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
         "td:first-child,th:first-child{text-align:left;white-space:nowrap}a{color:#1f5fa8}"
         ".note{color:#666;font-size:13px}ol.items{padding-left:22px;columns:2 150px;font-size:14px}")

# The district's figures a leader looks at first (rpt_headline_monthly), each with its unit.
HEADLINE = [("events_reported", "上报事件", "件"), ("events_valid", "有效事件", "件"), ("valid_rate", "有效率", "%"),
            ("events_overdue", "超期事件", "件"), ("timeliness_rate", "处理及时率", "%"),
            ("patrol_compliance_rate", "巡查达标率", "%"), ("visit_rate", "特殊人群走访率", "%"),
            ("dispute_resolution_rate", "矛盾纠纷化解率", "%")]


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>")


def _link(path: str, text: str, **params: str) -> str:
    query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
    return f'<a href="{path}?{query}">{escape(text)}</a>'


def figure(value, unit: str = "") -> str:
    """A figure as the page prints it: rates as percentages, counts with thousands separators."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{float(value):,.2f}{unit}"


def change(now, before, unit: str) -> str:
    """The change since last month, in the figure's unit (percentage points for rates)."""
    if now is None or before is None:
        return "较上月 —"
    difference = float(now) - float(before)
    if unit == "%":
        return "较上月持平" if abs(difference) < 0.0005 else f"较上月 {difference * 100:+.1f} 个百分点"
    if difference == 0:
        return "较上月持平"
    shown = f"{int(difference):+,}" if float(difference).is_integer() else f"{difference:+,.2f}"
    return f"较上月 {shown} {unit}"


def indicator_unit(indicator_id: str) -> str:
    """An indicator's unit, from how the marts name them: rates are fractions, the rest counts."""
    if indicator_id.endswith("_rate"):
        return "%"
    if indicator_id.endswith("per_10k_residents"):
        return "件/万人"
    if indicator_id.endswith("per_worker"):
        return "件/人"
    return "件"


def _indicator_value(value, unit: str) -> str:
    """A rate as a percentage; a count per unit (its unit in the header) whole when it is whole."""
    if unit == "%" or value is None:
        return figure(value, unit if unit == "%" else "")
    return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,.2f}"


def _table(headers: list[str], body_rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in body_rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _cards(latest: dict, previous: dict | None) -> str:
    cards = [f'<div class="card">{escape(label)}<b>{figure(latest.get(key), unit)}</b>'
             f'<small>{change(latest.get(key), (previous or {}).get(key), unit)}</small></div>'
             for key, label, unit in HEADLINE]
    return f'<div class="cards">{"".join(cards)}</div>'


def _rank_move(row: dict) -> str:
    moved = row.get("rank_change")
    if row.get("previous_rank") is None or moved is None:
        return "新"
    return "—" if moved == 0 else (f"↑{moved}" if moved > 0 else f"↓{-moved}")


def _this_month(ranking: list[dict], months: list[str], scheme_id: str) -> str:
    """The latest month's ranking, with each township's change since last month."""
    latest = [r for r in ranking if r["period"] == months[-1]]
    before = {r["org_id"]: r["total_score"] for r in ranking if len(months) > 1 and r["period"] == months[-2]}
    rows = [[str(r["rank"]), _link("/township", r["org_name"], id=r["org_id"], scheme=scheme_id),
             figure(r["total_score"]), change(r["total_score"], before.get(r["org_id"]), "分").removeprefix("较上月").strip(),
             _rank_move(r)] for r in sorted(latest, key=lambda r: (r["rank"], r["org_name"]))]
    return _table(["名次", "乡镇（街道）", "总分（分）", "较上月（分）", "名次变化"], rows)


def trends(con, scheme_id: str | None) -> str:
    """The front page: the district's month at a glance, then each township's rank and total over
    the last 12 months, and where points are lost."""
    district = queries.district_name(con) or ""
    title = f"{district} 考核趋势".strip()
    schemes = queries.township_schemes(con)
    if not schemes:
        return page(title, "<p>已发布的数据仓库中没有乡镇（街道）考核排名。</p>")
    scheme = next((s for s in schemes if s["scheme_id"] == scheme_id), schemes[0])
    months = queries.months(con, scheme["scheme_id"])
    ranking = queries.rankings(con, scheme["scheme_id"], months[0], months[-1])
    names = {r["org_id"]: r["org_name"] for r in ranking}
    series: dict[str, dict[str, int]] = {}
    totals: dict[str, dict[str, tuple]] = {}
    for r in ranking:
        series.setdefault(r["org_name"], {})[r["period"]] = r["rank"]
        totals.setdefault(r["org_id"], {})[r["period"]] = (r["total_score"], r["rank"])
    latest = sorted(totals, key=lambda org: (totals[org].get(months[-1], (0, 10**9))[1], names[org]))
    other = " ".join(_link("/", s["title"], scheme=s["scheme_id"]) for s in schemes if s is not scheme)
    rows = [[_link("/township", names[org], id=org, scheme=scheme["scheme_id"])]
            + [f"{figure(totals[org][m][0])}（{totals[org][m][1]}）" if m in totals[org] else "—" for m in months]
            for org in latest]
    lost = queries.points_lost(con, scheme["scheme_id"], months[0], months[-1])
    items = list(dict.fromkeys(r["label_zh"] for r in lost))
    values = {(names.get(r["org_id"], r["org_id"]), r["label_zh"]): float(r["points_lost"]) for r in lost}
    weights = {r["label_zh"]: float(r["weight"]) for r in lost}
    headline = queries.headlines(con, scheme["scheme_id"], months[-2:])
    legend = "".join(f"<li>{escape(item)}（满分 {weights[item]:g} 分）</li>" for item in items)
    body = (f"<p>{escape(scheme['title'])}：{escape(months[0])} 至 {escape(months[-1])}，共 {len(months)} 个月。"
            f"{' 其他方案：' + other if other else ''}</p>"
            + (f"<h2>{escape(months[-1])} {escape(district)}概况</h2>" + _cards(headline[months[-1]], headline.get(months[-2]) if len(months) > 1 else None)
               if months[-1] in headline else "")
            + f"<h2>{escape(months[-1])} 排名及较上月变化</h2>" + _this_month(ranking, months, scheme["scheme_id"])
            + "<h2>排名走势</h2>" + svg.rank_lines(months, series)
            + "<h2>总分（分）和排名，逐月</h2>" + _table(["乡镇（街道）", *months], rows)
            + "<h2>失分热力图（各月平均失分，分）</h2>"
            + svg.heatmap([names[o] for o in latest], items, values, weights)
            + f'<ol class="items">{legend}</ol>'
            + '<p class="note">点击乡镇（街道）名称查看其村（社区）和网格。数据来自已发布的数据仓库（只读）。</p>'
            + f'<p>{_link("/signals", "数据质量提示（哪些数据值得核查）", period=months[-1])}</p>')
    return page(title, body)


def _indicator_table(con, scheme_id: str, period: str, units: list[dict], drill: str | None) -> str:
    labels = queries.indicator_labels(con, scheme_id)  # leaders read the scorecard's headers, not ids
    present = {r["indicator_id"] for r in units}
    indicators = [i for i in labels if i in present]
    by_unit: dict[str, dict] = {}
    for r in units:
        by_unit.setdefault(r["org_id"], {"name": r["org_name"]})[r["indicator_id"]] = r["value"]
    rows = [[_link(drill, values["name"], id=org, scheme=scheme_id, period=period) if drill else escape(values["name"])]
            + [_indicator_value(values.get(i), indicator_unit(i)) for i in indicators]
            for org, values in by_unit.items()]
    return _table(["单位", *(f"{labels[i]}（{indicator_unit(i)}）" for i in indicators)], rows)


def township(con, org_id: str, scheme_id: str, period: str | None) -> str:
    unit = queries.unit(con, org_id)
    if not unit or unit["org_level"] != "township":
        return page("未找到", "<p>没有这个乡镇（街道）。</p>")
    period = period or queries.months(con, scheme_id)[-1]
    villages = queries.indicators_below(con, scheme_id, period, org_id, "village")
    body = (f'<p>{_link("/", "← 返回趋势", scheme=scheme_id)}</p><h2>{escape(period)} 各村（社区）考核指标</h2>'
            + _indicator_table(con, scheme_id, period, villages, "/village"))
    return page(f"{unit['org_name']} {period}", body)


GRID_COLUMNS = [("grid_workers", "网格员（人）", ""), ("workers_online", "在线（人）", ""),
                ("events_reported", "上报事件（件）", ""), ("valid_events", "有效事件（件）", ""),
                ("overdue_events", "超期（件）", ""), ("worker_hazard_events", "隐患事件（件）", ""),
                ("transferred_events", "流转（件）", ""), ("timeliness_rate", "及时率（%）", "%")]


def village(con, org_id: str, scheme_id: str, period: str) -> str:
    unit = queries.unit(con, org_id)
    if not unit or unit["org_level"] != "village":
        return page("未找到", "<p>没有这个村（社区）。</p>")
    grids = queries.indicators_below(con, scheme_id, period, org_id, "grid")
    activity = queries.grid_activity(con, period, org_id)
    rows = [[escape(r["grid_name"])] + [figure(r[key], shown) for key, _, shown in GRID_COLUMNS] for r in activity]
    body = (f'<p>{_link("/township", "← 返回乡镇（街道）", id=unit["township_id"], scheme=scheme_id, period=period)}</p>'
            "<h2>各网格运行情况</h2>" + _table(["网格", *(label for _, label, _ in GRID_COLUMNS)], rows)
            + "<h2>各网格指标（网格员指标按网格汇总）</h2>" + _indicator_table(con, scheme_id, period, grids, None))
    return page(f"{unit['org_name']} {period}", body)


def signals(con, period: str | None) -> str:
    """数据质量提示: units flagged per signal over the months, and a month's flagged units with the
    records behind each (ids only). A prompt to look, not a verdict: the page says so first."""
    period = period or queries.latest_month(con)
    if not period:
        return page("数据质量提示", "<p>已发布的数据仓库中还没有月份。</p>")
    counts = queries.signal_months(con)
    months = sorted({r["period"] for r in counts})
    by_signal: dict[str, dict[str, int]] = {}
    for r in counts:
        by_signal.setdefault(r["label_zh"], {})[r["period"]] = r["units"]
    trend = _table(["提示", *[_link("/signals", m, period=m) for m in months]],
                   [[escape(label)] + [figure(values.get(m, 0)) for m in months] for label, values in by_signal.items()])
    flagged = queries.signals_of_month(con, period)
    back = f'<p>{_link("/", "← 返回趋势")}</p>'
    if not flagged:
        return page(f"数据质量提示 {period}", back + f"<p>{escape(period)} 各项数据质量提示均未达到提示阈值。</p>"
                    + (("<h2>各月提示单位数</h2>" + trend) if months else ""))
    headers = ["提示", "单位", "所属乡镇（街道）", "测量值", "参照值", "强度", "记录数", "涉及记录"]
    table_rows = [[escape(r["label_zh"]), escape(r["unit_name"] or f"网格员{r['unit_id']}"), escape(r["township_name"] or "—"),
                   figure(r["measured_value"]), figure(r["reference_value"]), figure(r["strength"]), figure(r["records"]),
                   escape(r["record_ids"] or "")] for r in flagged]
    explanations = "".join(f"<li><b>{escape(label)}</b>：{escape(text)}</li>"
                           for label, text in dict((r["label_zh"], r["explanation_zh"]) for r in flagged).items())
    body = (back + f'<p class="note">{escape(flagged[0]["caveat_zh"])}</p>'
            + "<h2>各月提示单位数</h2>" + trend
            + f"<h2>{escape(period)} 提示单位</h2>" + _table(headers, table_rows) + f"<ul>{explanations}</ul>")
    return page(f"数据质量提示 {period}", body)
