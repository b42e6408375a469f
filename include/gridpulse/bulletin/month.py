"""One scheme's month as the bulletin reads it: the marts of that scheme and month, and the
register every printed figure and name goes through (so reconciliation can check each again)."""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from gridpulse.bulletin.figures import Register
from gridpulse.warehouse.marts import MonthMarts


class Month:
    """The marts of one scheme and month, and the register every figure goes through."""

    def __init__(self, marts: MonthMarts, scheme_id: str, register: Register, words: dict, platform_words: dict):
        self.marts, self.scheme_id, self.register = marts, scheme_id, register
        # the platform's own names of things (its mapping): 肇事肇祸精神障碍患者 on one, 严重精神障碍患者 on another
        self.platform_words = platform_words
        # the district's level words (include/config/levels.yml via its profile): 全区 or 全县, 各乡镇（街道）;
        # no default, so that a caller that forgets them fails instead of printing another level's words
        self.words = words
        self.period = marts.period
        self.items = marts.items[marts.items.scheme_id == scheme_id].sort_values("display_order")
        self.ranking = marts.ranking[marts.ranking.scheme_id == scheme_id].sort_values(["rank", "org_id"])
        self.scores = marts.scores[marts.scores.scheme_id == scheme_id]
        indicators = marts.frames["indicators"]
        self.indicators = indicators[indicators.scheme_id == scheme_id]
        headline = marts.frames["headline"]
        self.headline = headline[headline.scheme_id == scheme_id].iloc[0].to_dict() if len(headline) else {}
        self.activity = marts.frames["activity"]
        self._repeated_names: set[str] | None = None
        self._org_names: dict[str, str] | None = None
        self.ordinal_names: re.Pattern | None = None  # set by the bulletin from bulletin.yml

    def item(self, indicator_id: str) -> pd.Series | None:
        found = self.items[self.items.indicator_id == indicator_id]
        return None if found.empty else found.iloc[0]

    def indicator(self, item_id: str, org_level: str = "district") -> pd.DataFrame:
        rows = self.indicators[(self.indicators.item_id == item_id) & (self.indicators.org_level == org_level)]
        return rows

    # figures, each printed in the style of its kind (count, rate, average, score; bulletin.yml)
    def head(self, column: str, kind: str = "count"):
        return self.register.take("rpt_headline_monthly", self.headline, ("period", "scheme_id"), column, kind)

    def town(self, row: dict, column: str, kind: str = "count"):
        return self.register.take("rpt_township_activity_monthly", row, ("period", "township_id"), column, kind)

    def ind(self, row: dict, column: str, kind: str = "count"):
        return self.register.take("fct_indicator_monthly", row, ("period", "scheme_id", "item_id", "org_id"), column, kind)

    def score(self, row: dict, column: str = "score"):
        return self.register.take("fct_score_monthly", row, ("period", "scheme_id", "org_id", "item_id"), column, "score")

    def rank(self, row: dict, column: str, kind: str = "count"):
        return self.register.take("rpt_ranking_monthly", row, ("period", "scheme_id", "org_id"), column, kind)

    def share(self, numerator, denominator):
        return self.register.share(numerator, denominator)

    # words
    def name(self, org_id: str):
        """A unit's name, printed whole and checked again against dim_org_unit."""
        return self.register.name(org_id, self.org_name(org_id))

    def unit_name(self, org_id: str):
        """A scored unit's name as the findings print it: after its parent's where another unit the
        scheme scores has the same name, or where the name is only an ordinal that any 社区 may use
        (`ordinal`, bulletin.yml `ordinal_names`): 高丰社区一网格, not 一网格."""
        own = self.org_name(org_id)
        if self._repeated_names is None:
            named = Counter(self.org_name(org) for org in self.ranking.org_id)
            self._repeated_names = {name for name, count in named.items() if count > 1}
        ordinal = self.ordinal_names
        if own not in self._repeated_names and not (ordinal and ordinal.fullmatch(own)):
            return self.name(org_id)
        units = self.marts.org_units
        parent = units.loc[units.org_id == org_id, "parent_org_id"].iloc[0]
        return self.register.name(org_id, own, self.name(parent) if isinstance(parent, str) and parent else None)

    def org_name(self, org_id: str) -> str:
        """dim_org_unit's name of a unit, looked up by id (a province bulletin names thousands)."""
        if self._org_names is None:
            units = self.marts.org_units.drop_duplicates("org_id")
            self._org_names = dict(zip(units.org_id, units.org_name.astype(str)))
        return self._org_names[org_id]

    def units(self, org_ids) -> str:
        """Units printed with their count: "甲、乙2个单位"."""
        return self.register.unit_list([self.name(org) for org in org_ids]) + "单位"


def joined_names(names) -> str:
    """Names in a sentence: "甲、乙、丙"."""
    return "、".join(str(name) for name in names)
