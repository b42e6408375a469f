"""Assemble one bulletin per scheme and month from the marts: title, addressees, section 一 (the
figures and the scorecard or the grid tables, with charts), section 二 (findings), section 三
(the scheme's closing text, 工作要求 or 下一步计划, or the district's own), the issuer and date,
and the 考核内容 appendix printed from the scheme's own rows. The words belong to their owners:
the district's (letterhead, level words: 全区/全县) to its profile, the scheme's (title, intro,
closing section, number style) to the scheme's file."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd

from gridpulse import config
from gridpulse.bulletin import charts, findings, grid, integrity, township
from gridpulse.bulletin.document import Bulletin, Chart, Heading, Letterhead, Paragraph, Table
from gridpulse.bulletin.figures import KINDS, Register
from gridpulse.bulletin.month import Month
from gridpulse.calendar import is_workday
from gridpulse.config import read_yaml
from gridpulse.period import Period
from gridpulse.schemes import load_scheme, out_of_force
from gridpulse.warehouse.marts import MonthMarts

BULLETIN_CONFIG = config.CONFIG_DIR / "bulletin"
NUMERALS = "一二三四五六七八九十"


def settings() -> dict:
    return read_yaml(BULLETIN_CONFIG / "bulletin.yml")


def platform_words() -> dict[str, list[str]]:
    """What the district's platform calls things the text names (its mapping's value words), so a
    bulletin speaks the platform's language: its special-population kinds, in its own words."""
    mapping = config.platform_mapping()
    kinds = (mapping["files"]["special_population"].get("values") or {}).get("person_type") or {}
    return {"special_population": list(kinds)}


def scheme_words(scheme_id: str) -> dict:
    """The scheme's own bulletin words (its file's `bulletin:`): scope, title_end, intro,
    number_style, closing; none without a scheme (a rollup before any district has published)."""
    return (load_scheme(scheme_id).get("bulletin") or {}) if scheme_id else {}


def closing(scheme_id: str, district: dict, words: dict) -> tuple[str, list[str]]:
    """Section 三: the district's own text for the scheme (district.texts.<scheme id>), else the
    scheme's default; {whole} and {units} become the district's level words."""
    default = scheme_words(scheme_id).get("closing") or {}
    own = ((district.get("texts") or {}).get(scheme_id)) or {}
    heading = own.get("heading") or default.get("heading") or "工作要求"
    paragraphs = own.get("paragraphs") or default.get("paragraphs") or []
    return heading, [text.format(**words) for text in paragraphs]


def issue_date(period: str, conf: dict, office: dict) -> date:
    """The date the bulletin is signed: the date the issuing office fixed for the month in its own
    settings (`issue_dates` in the district's profile, or the deployment's letterhead for the
    rollup), else the first workday on or after bulletin.yml's `issue_day` of the next month, so that
    a bulletin is never dated a Sunday or a holiday (make-up working days count as workdays)."""
    fixed = (office.get("issue_dates") or {}).get(period)
    if fixed:
        return date.fromisoformat(str(fixed))
    day = Period.parse(period).next_first_day.replace(day=int(conf["issue_day"]))
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def print_date(period: str, office: dict, signed: date) -> date:
    """The 印发日期 of the 版记: the date the office fixed for the month (`print_dates`), else
    the day the bulletin is signed."""
    fixed = (office.get("print_dates") or {}).get(period)
    return date.fromisoformat(str(fixed)) if fixed else signed


def doc_number(period: str, office: dict, signed: date) -> str:
    """The 发文字号 from the office's pattern (`doc_number`, e.g. "百办〔{year}〕{number}号"), or ""
    where it sets none. {year} is the year the bulletin is signed. {number} is the running number the
    office's register gives it: its `doc_numbers` for the month where the clerk has fixed one, else
    the assessed month's number (a district issues one bulletin of a scheme a month, so November's
    is 11, and no two of a year's bulletins share a number). Each office keeps its own register, so
    these live in its own settings, never in a file districts share."""
    pattern = office.get("doc_number") or ""
    if not pattern:
        return ""
    number = (office.get("doc_numbers") or {}).get(period) or int(period[5:])
    return pattern.format(year=signed.year, number=number)


def letterhead(period: str, conf: dict, office: dict) -> Letterhead:
    """The issuing office's letterhead for the month (a district's profile, or a deployment's for the rollup)."""
    signed = issue_date(period, conf, office)
    return Letterhead(office["issuer"], _date_text(signed), office.get("printed_by") or office["issuer"],
                      _date_text(print_date(period, office, signed)), office.get("copy_to") or "",
                      doc_number(period, office, signed))


def number_style(conf: dict, scheme_id: str) -> dict[str, int]:
    """Printed decimals per kind of figure: bulletin.yml's `number_style`, with the scheme's own
    (a grid scheme that scores whole points prints them whole)."""
    style = dict(conf["number_style"]) | (scheme_words(scheme_id).get("number_style") or {})
    unknown = set(style) - set(KINDS)
    if unknown:
        raise ValueError(f"bulletin.yml number_style: unknown kind(s) {sorted(unknown)}; the kinds are {', '.join(KINDS)}")
    return style


def _check_score_decimals(month: Month, register: Register) -> None:
    """Scores are printed in one style: a scheme that rounds a score finer than the style would
    lose its digits in print, so the run stops and says which item."""
    printed = register.decimals("score")
    finer = [f"{i.item_id} ({int(i.decimals)})" for i in month.items.itertuples() if int(i.decimals) > printed]
    if finer:
        raise ValueError(f"scheme {month.scheme_id}: item(s) {', '.join(finer)} keep more decimals than "
                         f"bulletin.yml number_style.score ({printed}) prints")


def cover_notes(period: str) -> list[Paragraph]:
    """What the reader must know before the figures: configured schemes not in force this month
    (gridpulse.yml `schemes_out_of_force: warn`), which were not scored."""
    return [Paragraph(f"说明：{sentence}。") for sentence in out_of_force(period)]


def version_notes(month: Month) -> list[Paragraph]:
    """One line in the first month a new version of the scheme is in force (rpt_ranking_monthly:
    the month is the version's valid_from and it followed another version)."""
    ranking = month.ranking
    if "replaces_scheme_valid_from" not in ranking or ranking.empty:
        return []
    row = ranking.iloc[0]
    if pd.isna(row["replaces_scheme_valid_from"]) or row["scheme_valid_from"] != month.period:
        return []
    title = str(month.items.scheme_title_zh.iloc[0])
    return [Paragraph(f"说明：本月起按调整后的{title}方案（{month.period[:4]}年{int(month.period[5:])}月起施行）评分，"
                      "与上月比较的名次变化跨越方案调整，总分不作同口径比较。")]


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
    names = [str(month.name(org)) for org in ranking.org_id]  # the charts' names are checked like the text's
    totals = ranking.total_score.astype(float).tolist()
    scored = [i for i in month.items.itertuples() if i.weight > 0]
    wide = month.scores.pivot(index="org_id", columns="item_id", values="score")
    item_scores = [[float(wide.loc[org, i.item_id]) for i in scored] for org in ranking.org_id]
    when = f"{month.period[:4]}年{int(month.period[5:])}月"
    full_marks = float(sum(i.weight for i in scored))
    return [Chart(f"{when}{which}总分", charts.totals_bar(names, totals, full_marks)),
            Chart(f"{when}{which}分项得分", charts.item_scores_stacked(names, [i.label_zh for i in scored], item_scores))]


def appendix(month: Month) -> list:
    """The scheme's rules as one compact table (序号, 项目, 分值, 考核办法), which reads faster and
    takes about half the paper of one paragraph per rule; '/' where an item has no points of its
    own (附加分)."""
    rows = [[str(n), item.label_zh, f"{item.weight:g}" if item.weight else "/", item.rule_text_zh or ""]
            for n, item in enumerate(month.items.itertuples(), start=1)]
    return [Table("", ["序号", "项目", "分值", "考核办法"], rows, numeric_from=2, wrap_column=3)]


def _section_one(month: Month, conf: dict, level: str) -> list:
    if level == "township":
        blocks = township.section_one(month, conf)
        return blocks + _charts(month, int(conf["chart_units"]))
    blocks = [Heading("（一）信息报送情况", 2)] + grid.categories(month)
    blocks += [Heading("（二）派驻机构事件处理情况", 2)] + grid.agencies(month)
    blocks += [Heading("（三）网格有效运行体系指标评价", 2), grid.evaluation(month)]
    return blocks


def title(conf: dict, scheme: dict, period: str, words: dict) -> list[str]:
    year, mon = period[:4], int(period[5:])
    scope = (scheme.get("scope") or "").format(**words)
    return [segment.format(year=year, month=mon, scope=scope, title_end=scheme.get("title_end") or conf["title_end"])
            for segment in conf["title"]]


def build_bulletin(marts: MonthMarts, scheme_id: str) -> Bulletin:
    conf, scheme = settings(), scheme_words(scheme_id)
    district, words = config.settings()["district"], config.profile().words()
    register = Register(marts.period, number_style(conf, scheme_id))
    month = Month(marts, scheme_id, register, words, platform_words())
    month.ordinal_names = re.compile(conf["ordinal_names"]) if conf.get("ordinal_names") else None
    _check_score_decimals(month, register)
    level = str(month.items.scored_org_level.iloc[0])
    # the platform's own name unless the district prints another (its profile's data_source)
    data_source = district.get("data_source") or config.platform_mapping().get("label_zh")
    source = f"（数据来源于{data_source}）" if data_source else ""
    closing_heading, closing_text = closing(scheme_id, district, words)
    blocks = [*cover_notes(marts.period), *version_notes(month), Paragraph((scheme.get("intro") or conf["intro"]).format(month=int(marts.period[5:]))),
              Heading(f"一、各项指标运行情况{source}", 1), *_section_one(month, conf, level),
              Heading("二、存在的问题", 1), *findings.section_two(month, conf, conf["unit_word"][level]),
              Heading(f"三、{closing_heading}", 1), *[Paragraph(line) for line in closing_text]]
    scheme_title = str(month.items.scheme_title_zh.iloc[0])
    # the internal edition's 数据质量提示 follows the scheme's rules in the 附件
    annex = integrity.annex(month) if integrity.switched_on(district, conf) else []
    return Bulletin(scheme_id, marts.period, title(conf, scheme, marts.period, words), letterhead(marts.period, conf, district), district["addressees"],
                    blocks, f"{scheme_title}{'内容' if scheme_title.endswith('考核') else '考核内容'}",
                    appendix(month) + annex, register)


def output_name(scheme_id: str, first: bool) -> str:
    """The first scheme's bulletin is bulletin.*; others carry their scheme id."""
    return "bulletin" if first else f"bulletin-{scheme_id}"

