"""The rollup's short bulletin: which districts are in, their headline figures side by side, and
the units ranked across districts that share a scheme. Every figure is taken into a Register from
the rollup warehouse's marts and reconciled against them before anything is published, as a
district's bulletin is; the deployment's totals are sums of the rows printed above them."""
from __future__ import annotations

import pandas as pd

from gridpulse.bulletin.build import letterhead, number_style
from gridpulse.bulletin.build import settings as bulletin_settings
from gridpulse.bulletin.document import Bulletin, Heading, Paragraph, Table
from gridpulse.bulletin.figures import Register
from gridpulse.config import Deployment
from gridpulse.rollup.status import PUBLISHED, DistrictMonth
from gridpulse.rollup.tables import RollupRows

HEADLINE_MART, RANKING_MART = "rpt_headline_monthly", "rpt_rollup_ranking_monthly"
LEVEL_ZH = {"city": "市", "province": "省"}


def _figure_row(register: Register, row: dict, figures: list[dict]) -> tuple[list, dict]:
    """A district's printed figures in the order of rollup.yml, and its counts by column."""
    key = ("period", "district_id", "scheme_id")
    counts = {f["column"]: register.take(HEADLINE_MART, row, key, f["column"]) for f in figures if "column" in f}
    printed = [counts[f["column"]] if "column" in f else register.share(*(counts[c] for c in f["rate_of"]))
               for f in figures]
    return printed, counts


def _total_row(register: Register, per_district: list[dict], figures: list[dict]) -> list:
    """The deployment's total: each count the sum of the districts' (checked), each rate from the totals."""
    totals = {}
    for column in (f["column"] for f in figures if "column" in f):
        parts = [counts[column] for counts in per_district]
        totals[column] = register.sum(parts)
        register.check_sum(parts, totals[column])
    return [totals[f["column"]] if "column" in f else register.share(*(totals[c] for c in f["rate_of"]))
            for f in figures]


def headline_table(register: Register, rows: RollupRows, figures: list[dict], names: dict) -> Table:
    printed_rows, per_district = [], []
    for row in rows.headline.to_dict("records"):
        printed, counts = _figure_row(register, row, figures)
        printed_rows.append([str(names[row["district_id"]]), *map(str, printed)])
        per_district.append(counts)
    total = _total_row(register, per_district, figures) if per_district else []
    body = printed_rows + ([["合计", *map(str, total)]] if total else [])
    return Table("各县（区）主要指标", ["县（区）", *[f["label"] for f in figures]], body)


def _states_paragraph(register: Register, deployment: Deployment, states: list[DistrictMonth], names: dict) -> Paragraph:
    level = LEVEL_ZH.get(deployment.level, "")
    published = [names[s.district.code] for s in states if s.state == PUBLISHED]
    text = f"全{level}{len(states)}个县（区）中，"
    text += f"{register.unit_list(published)}已发布本月考核结果" if published else "尚无县（区）发布本月考核结果"
    absent = [f"{s.district.name}（{s.state_zh}）" for s in states if s.state != PUBLISHED]
    if absent:
        text += f"；{'、'.join(absent)}未纳入本次汇总，其数据不计入合计和排名"
    return Paragraph(text + "。")


def _ranked_names(register: Register, ranked: pd.DataFrame) -> str:
    key = ("period", "scheme_id", "org_id")
    parts = []
    for row in ranked.to_dict("records"):
        name = register.name(row["org_id"], row["org_name"])
        district = register.name(row["district_id"], row["district_name"])
        score = register.take(RANKING_MART, row, key, "total_score", "score")
        parts.append(f"{name}（{district}，{score}分）")
    return "、".join(parts)


def ranking_section(register: Register, rows: RollupRows, named: int) -> tuple[list, list]:
    """Per shared scheme: the top and bottom units named in the body, the whole ranking in the appendix."""
    blocks, appendix = [], []
    if rows.ranking.empty:  # no scheme is shared by two published districts (yet)
        return blocks, appendix
    key = ("period", "scheme_id", "org_id")
    for _, ranked in rows.ranking.groupby("scheme_id", sort=True):
        title = str(ranked.scheme_title_zh.iloc[0])
        count = len(ranked)
        text = f"按{title}，参加排名的{count}个单位中，得分前{min(named, count)}名为{_ranked_names(register, ranked.head(named))}"
        if count > named:
            text += f"；后{min(named, count)}名为{_ranked_names(register, ranked.tail(named))}"
        blocks.append(Paragraph(text + "。完整排名见附件。"))
        table_rows = [[str(register.take(RANKING_MART, row, key, "rollup_rank")),
                       str(register.name(row["district_id"], row["district_name"])),
                       str(register.name(row["org_id"], row["org_name"])),
                       str(register.take(RANKING_MART, row, key, "total_score", "score")),
                       str(register.take(RANKING_MART, row, key, "district_rank"))]
                      for row in ranked.to_dict("records")]
        appendix.append(Table(f"{title}跨县（区）排名", ["名次", "县（区）", "单位", "总分", "县（区）内名次"],
                              table_rows, numeric_from=3))
    return blocks, appendix


def build_rollup_bulletin(deployment: Deployment, rows: RollupRows, states: list[DistrictMonth],
                          settings: dict) -> Bulletin:
    conf = bulletin_settings()
    first_scheme = str(rows.ranking.scheme_id.iloc[0]) if len(rows.ranking) else ""
    register = Register(rows.period, number_style(conf, first_scheme))
    # the published districts' names as the deployment lists them, checked against dim_org_unit
    listed = {d.code: d.name for d in deployment.districts}
    names = {code: register.name(code, listed[code]) for code in rows.headline.get("district_id", [])}
    year, month = rows.period[:4], int(rows.period[5:])
    level = LEVEL_ZH.get(deployment.level, "")
    headline = headline_table(register, rows, settings["figures"], names)
    ranking_blocks, appendix = ranking_section(register, rows, int(settings["named_units"]))
    if not appendix:
        ranking_blocks = [Paragraph("本月没有两个以上县（区）共用的考核方案，不作跨县（区）排名。")]
        appendix = [Paragraph("本月无跨县（区）排名。")]
    blocks = [Paragraph(f"现将{year}年{month}月全{level}各县（区）网格化服务管理工作考核情况汇总通报如下。"),
              Heading("一、报送情况", 1), _states_paragraph(register, deployment, states, names),
              Heading("二、主要指标", 1), headline,
              Heading("三、跨县（区）排名", 1), *ranking_blocks]
    title = [deployment.name, f"{year}年{month}月", "各县（区）网格化服务管理", "工作考核情况汇总通报"]
    head = deployment.letterhead
    return Bulletin("rollup", rows.period, title, letterhead(rows.period, conf, head), head["addressees"],
                    blocks, f"{year}年{month}月全{level}跨县（区）考核排名", appendix, register)
