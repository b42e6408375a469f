"""Assemble one bulletin per scheme and month from the marts: title, addressees, section 一 (the
figures and the scorecard or the grid tables, with charts), section 二 (findings), section 三
(the district's requirements, an editable text file), the issuer and date, and the 考核内容
appendix printed from the scheme's own rows."""
from __future__ import annotations

import pandas as pd

from gridpulse import config
from gridpulse.config import read_yaml
from gridpulse.bulletin import charts, findings, grid, township
from gridpulse.bulletin.document import Bulletin, Chart, Heading, Paragraph
from gridpulse.bulletin.figures import Register
from gridpulse.bulletin.township import Month
from gridpulse.publish.marts import MonthMarts

BULLETIN_CONFIG = config.CONFIG_DIR / "bulletin"
NUMERALS = "一二三四五六七八九十"


def settings() -> dict:
    return read_yaml(BULLETIN_CONFIG / "bulletin.yml")


def requirements(conf: dict) -> list[str]:
    text = (BULLETIN_CONFIG / conf["requirements_file"]).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _date_text(period: str, day: int) -> str:
    issued = pd.Period(period, freq="M") + 1
    return f"{issued.year}年{issued.month}月{day}日"


def _charted(ranking: pd.DataFrame, most: int) -> tuple[pd.DataFrame, str]:
    """The ranked units a chart shows, and how the title says which. A bar per unit reads for a
    district's 17 townships; a province's 1,105 would make a chart no one can read (and minutes to
    draw), so beyond `most` units it shows the top and the bottom ones; the table lists them all."""
    if len(ranking) <= most:
        return ranking, "各单位"
    half = most // 2
    return pd.concat([ranking.head(half), ranking.tail(half)]), f"前{half}名和后{half}名单位（共{len(ranking)}个）"


def _charts(month: Month, most: int) -> list:
    ranking, which = _charted(month.ranking, most)
    names, totals = ranking.org_name.tolist(), ranking.total_score.astype(float).tolist()
    scored = [i for i in month.items.itertuples() if i.weight > 0]
    wide = month.scores.pivot(index="org_id", columns="item_id", values="score")
    item_scores = [[float(wide.loc[org, i.item_id]) for i in scored] for org in ranking.org_id]
    when = f"{month.period[:4]}年{int(month.period[5:])}月"
    return [Chart(f"{when}{which}总分", charts.totals_bar(names, totals, f"{when}{which}总分")),
            Chart(f"{when}{which}分项得分", charts.item_scores_stacked(names, [i.label_zh for i in scored], item_scores,
                                                                 f"{when}{which}分项得分"))]


def appendix(month: Month) -> list:
    blocks = []
    for n, item in enumerate(month.items.itertuples(), start=1):
        points = f"（{item.weight:g}分）" if item.weight else ""
        blocks.append(Paragraph(f"{n}. {item.label_zh}{points}：{item.rule_text_zh or ''}"))
    return blocks


def _section_one(month: Month, conf: dict, level: str) -> list:
    if level == "township":
        blocks = township.section_one(month, conf)
        return blocks + _charts(month, int(conf["chart_units"]))
    blocks = [Heading("（一）信息报送情况", 2)] + grid.categories(month)
    blocks += [Heading("（二）派驻机构事件处理情况", 2)] + grid.agencies(month)
    blocks += [Heading("（三）网格有效运行体系指标评价", 2), grid.evaluation(month)]
    return blocks


def build_bulletin(marts: MonthMarts, scheme_id: str) -> Bulletin:
    conf = settings()
    district = config.settings()["district"] | (conf.get("schemes") or {}).get(scheme_id, {})
    register = Register(marts.period)
    month = Month(marts, scheme_id, register)
    level = str(month.items.scored_org_level.iloc[0])
    year, mon = marts.period[:4], int(marts.period[5:])
    title = conf["title"].format(year=year, month=mon, scope=conf["scope"][level])
    source = f"（数据来源于{district['data_source']}）" if district.get("data_source") else ""
    blocks = [Paragraph(district.get("intro", conf["intro"]).format(month=mon)),
              Heading(f"一、各项指标运行情况{source}", 1), *_section_one(month, conf, level),
              Heading("二、存在的问题", 1), *findings.section_two(month, conf, conf["unit_word"][level]),
              Heading("三、工作要求", 1), *[Paragraph(line) for line in requirements(conf)]]
    scheme_title = str(month.items.scheme_title_zh.iloc[0])
    return Bulletin(scheme_id, marts.period, title, district["issuer"], district["addressees"], blocks,
                    _date_text(marts.period, int(conf["issue_day"])),
                    f"附件：{scheme_title}{'内容' if scheme_title.endswith('考核') else '考核内容'}",
                    appendix(month), register)


def output_name(scheme_id: str, first: bool) -> str:
    """The first scheme's bulletin is bulletin.*; others carry their scheme id."""
    return "bulletin" if first else f"bulletin-{scheme_id}"

