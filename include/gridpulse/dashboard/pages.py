"""The trends page and its drill-down pages (township → villages → grids) as HTML."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from gridpulse.dashboard import queries, svg

# The font comes from the server (FONT_URL): a machine without a Chinese font would show boxes.
FONT_URL = "/fonts/NotoSansSC-Regular.otf"
STYLE = ('@font-face{font-family:"Grid Pulse Sans";src:url("' + FONT_URL + '") format("opentype")}'
         'body{font-family:"Grid Pulse Sans","Noto Sans SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}'
         "table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
         "td:first-child,th:first-child{text-align:left;white-space:nowrap}a{color:#1f5fa8}.note{color:#666;font-size:13px}")


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>")


def _link(path: str, text: str, **params: str) -> str:
    query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
    return f'<a href="{path}?{query}">{escape(text)}</a>'


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}" if isinstance(value, float) or hasattr(value, "as_integer_ratio") and not isinstance(value, int) else f"{value:,}"


def _table(headers: list[str], body_rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in body_rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def trends(con, scheme_id: str | None) -> str:
    """The front page: each township's rank and total over the last 12 months, and where points are lost."""
    schemes = queries.township_schemes(con)
    if not schemes:
        return page("Grid Pulse 考核趋势", "<p>已发布的数据仓库中没有乡镇（街道）考核排名。</p>")
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
            + [f"{_number(totals[org][m][0])}（{totals[org][m][1]}）" if m in totals[org] else "—" for m in months]
            for org in latest]
    lost = queries.points_lost(con, scheme["scheme_id"], months[0], months[-1])
    items = list(dict.fromkeys(r["label_zh"] for r in lost))
    values = {(names.get(r["org_id"], r["org_id"]), r["label_zh"]): float(r["points_lost"]) for r in lost}
    weights = {r["label_zh"]: float(r["weight"]) for r in lost}
    body = (f"<p>{escape(scheme['title'])}：{escape(months[0])} 至 {escape(months[-1])}，共 {len(months)} 个月。"
            f"{' 其他方案：' + other if other else ''}</p>"
            "<h2>排名走势</h2>" + svg.rank_lines(months, series)
            + "<h2>总分（排名）</h2>" + _table(["乡镇（街道）", *months], rows)
            + "<h2>失分热力图（各月平均失分）</h2>"
            + svg.heatmap([names[o] for o in latest], items, values, weights)
            + '<p class="note">点击乡镇（街道）名称查看其村（社区）和网格。数据来自已发布的数据仓库（只读）。</p>'
            + f'<p>{_link("/signals", "数据质量提示（哪些数据值得核查）", period=months[-1])}</p>')
    return page("Grid Pulse 考核趋势", body)


def _indicator_table(con, scheme_id: str, period: str, units: list[dict], drill: str | None) -> str:
    labels = queries.indicator_labels(con, scheme_id)  # leaders read the scorecard's headers, not ids
    present = {r["indicator_id"] for r in units}
    indicators = [i for i in labels if i in present]
    by_unit: dict[str, dict] = {}
    for r in units:
        by_unit.setdefault(r["org_id"], {"name": r["org_name"]})[r["indicator_id"]] = r["value"]
    rows = [[_link(drill, values["name"], id=org, scheme=scheme_id, period=period) if drill else escape(values["name"])]
            + [_number(values.get(i)) for i in indicators] for org, values in by_unit.items()]
    return _table(["单位", *(labels[i] for i in indicators)], rows)


def township(con, org_id: str, scheme_id: str, period: str | None) -> str:
    unit = queries.unit(con, org_id)
    if not unit or unit["org_level"] != "township":
        return page("未找到", "<p>没有这个乡镇（街道）。</p>")
    period = period or queries.months(con, scheme_id)[-1]
    villages = queries.indicators_below(con, scheme_id, period, org_id, "village")
    body = (f'<p>{_link("/", "← 返回趋势", scheme=scheme_id)}　{escape(period)} 各村（社区）指标值（fct_indicator_monthly）。</p>'
            + _indicator_table(con, scheme_id, period, villages, "/village"))
    return page(f"{unit['org_name']} {period}", body)


def village(con, org_id: str, scheme_id: str, period: str) -> str:
    unit = queries.unit(con, org_id)
    if not unit or unit["org_level"] != "village":
        return page("未找到", "<p>没有这个村（社区）。</p>")
    grids = queries.indicators_below(con, scheme_id, period, org_id, "grid")
    activity = queries.grid_activity(con, period, org_id)
    headers = ["网格", "网格员", "在线", "上报事件", "有效事件", "超期", "隐患事件", "流转", "及时率"]
    rows = [[escape(r["grid_name"])] + [_number(r[k]) for k in ("grid_workers", "workers_online", "events_reported",
            "valid_events", "overdue_events", "worker_hazard_events", "transferred_events", "timeliness_rate")] for r in activity]
    body = (f'<p>{_link("/township", "← 返回乡镇（街道）", id=unit["township_id"], scheme=scheme_id, period=period)}</p>'
            "<h2>各网格运行情况</h2>" + _table(headers, rows)
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
                   [[escape(label)] + [_number(values.get(m, 0)) for m in months] for label, values in by_signal.items()])
    flagged = queries.signals_of_month(con, period)
    back = f'<p>{_link("/", "← 返回趋势")}</p>'
    if not flagged:
        return page(f"数据质量提示 {period}", back + f"<p>{escape(period)} 各项数据质量提示均未达到提示阈值。</p>"
                    + (("<h2>各月提示单位数</h2>" + trend) if months else ""))
    headers = ["提示", "单位", "所属乡镇（街道）", "测量值", "参照值", "强度", "记录数", "涉及记录"]
    table_rows = [[escape(r["label_zh"]), escape(r["unit_name"] or f"网格员{r['unit_id']}"), escape(r["township_name"] or "—"),
                   _number(r["measured_value"]), _number(r["reference_value"]), _number(r["strength"]), _number(r["records"]),
                   escape(r["record_ids"] or "")] for r in flagged]
    explanations = "".join(f"<li><b>{escape(label)}</b>：{escape(text)}</li>"
                           for label, text in dict((r["label_zh"], r["explanation_zh"]) for r in flagged).items())
    body = (back + f'<p class="note">{escape(flagged[0]["caveat_zh"])}</p>'
            + "<h2>各月提示单位数</h2>" + trend
            + f"<h2>{escape(period)} 提示单位</h2>" + _table(headers, table_rows) + f"<ul>{explanations}</ul>")
    return page(f"数据质量提示 {period}", body)
