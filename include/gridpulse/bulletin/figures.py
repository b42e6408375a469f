"""Every figure a bulletin prints, with where it came from.

A figure is taken from one row of one mart and formatted by the one rounding policy
(gridpulse.numbers). A share is printed from the two counts beside it, a sum or a difference from
its parts. The register keeps how each printed figure was obtained, so that reconciliation can
obtain it again from the marts before anything is published.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gridpulse.numbers import fmt, pct


@dataclass(frozen=True)
class Source:
    mart: str                            # table in the marts schema
    key: tuple[tuple[str, object], ...]  # column = value filters that pick exactly one row
    column: str

    def __str__(self) -> str:
        return f"marts.{self.mart}{dict(self.key)}.{self.column}"


def count_text(value) -> str:
    return "/" if value is None else f"{int(round(float(value)))}"


def format_value(value, decimals: int) -> str:
    """Counts (decimals < 0) as integers; other figures half up to their decimals; '/' for none."""
    if value is None:
        return "/"
    return count_text(value) if decimals < 0 else fmt(float(value), decimals)


def share_text(numerator, denominator, decimals: int) -> str:
    if numerator is None or denominator in (None, 0):
        return "/"
    return pct(float(numerator) / float(denominator), decimals)


# One style per kind of figure (bulletin.yml `number_style`): printed decimals of counts, rates
# (percentages), averages (per worker, per 10,000 residents, per centre) and scores. Counts are
# whole numbers. Reconciliation holds every printed figure to its kind's style.
KINDS = ("count", "rate", "average", "score")
DEFAULT_STYLE = {"count": 0, "rate": 2, "average": 1, "score": 2}


def style_pattern(kind: str, decimals: int) -> re.Pattern:
    """What a figure of a kind looks like when printed in its style ('/' is no figure)."""
    digits = r"-?\d+" + (rf"\.\d{{{decimals}}}" if decimals > 0 else "")
    return re.compile(rf"^(/|{digits}{'%' if kind == 'rate' else ''})$")


@dataclass(frozen=True)
class Figure:
    source: Source
    decimals: int
    printed: str
    kind: str = "count"

    def recompute(self, lookup: Callable[[Source], object]):
        return lookup(self.source)

    def text(self, value) -> str:
        return format_value(value, self.decimals)

    def __str__(self) -> str:
        return self.printed


@dataclass(frozen=True)
class Derived:
    """A sum or difference of figures, e.g. a 合计 row or the workers short of a quota."""
    op: str                             # "sum" or "difference" (first minus the rest)
    parts: tuple[Printed, ...]
    decimals: int
    printed: str
    kind: str = "count"

    def recompute(self, lookup):
        values = [p.recompute(lookup) for p in self.parts]
        if any(v is None for v in values):
            return None
        values = [float(v) for v in values]
        return sum(values) if self.op == "sum" else values[0] - sum(values[1:])

    def text(self, value) -> str:
        return format_value(value, self.decimals)

    def __str__(self) -> str:
        return self.printed


@dataclass(frozen=True)
class Share:
    """A percentage printed from a count and the count it is a share of."""
    numerator: Printed
    denominator: Printed
    decimals: int
    printed: str
    kind: str = "rate"

    def recompute(self, lookup):
        return (self.numerator.recompute(lookup), self.denominator.recompute(lookup))

    def text(self, value) -> str:
        return share_text(*value, self.decimals)

    def __str__(self) -> str:
        return self.printed


@dataclass(frozen=True)
class Name(Figure):
    """A unit's name as printed, looked up again by its code in dim_org_unit: a name cut short or
    mistyped in any section, table or chart fails reconciliation like a wrong figure."""

    prefix: str = ""   # the parent's name, where units of one name are told apart ("江滨社区" + "一网格")

    def text(self, value) -> str:
        return "/" if value is None else str(value)

    def __str__(self) -> str:
        return self.prefix + self.printed


Printed = Figure | Derived | Share


@dataclass(frozen=True)
class UnitList:
    """Units printed as a list with their count ("甲、乙2个单位"): the count must be the names'."""
    names: tuple[Name, ...]
    count: str


@dataclass(frozen=True)
class TieCheck:
    """Units printed as those at a value (the lowest score of an item, the lowest totals): every
    unit the mart has at that value, as printed, must be among them, so a tie is named whole."""
    mart: str
    key: tuple[tuple[str, object], ...]  # the rows compared: month, scheme (and item)
    column: str
    decimals: int
    printed: str                         # the value as printed
    names: tuple[Name, ...]
    count: str | None = None             # where the names are not printed, the count printed instead


@dataclass(frozen=True)
class SumCheck:
    """A printed total that must equal the sum of its printed rows (a scorecard row's 总分)."""
    parts: tuple[Figure, ...]
    total: Figure


def _value(printed: Printed):
    return None if printed.printed == "/" else float(printed.printed)


@dataclass
class Register:
    """The figures of one bulletin, in the order they were printed."""
    period: str
    style: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_STYLE))  # kind -> printed decimals
    entries: list[Printed] = field(default_factory=list)
    sum_checks: list[SumCheck] = field(default_factory=list)
    unit_lists: list[UnitList] = field(default_factory=list)
    tie_checks: list[TieCheck] = field(default_factory=list)

    def decimals(self, kind: str) -> int:
        """Printed decimals of a kind of figure; -1 (a whole count) for counts."""
        return -1 if kind == "count" else int(self.style[kind])

    def take(self, mart: str, row: dict, key: tuple[str, ...], column: str, kind: str = "count") -> Figure:
        """A figure from a row of a mart, printed in its kind's style."""
        decimals = self.decimals(kind)
        value = row.get(column)
        value = None if value is None or value != value else value  # NaN is no value
        plain = lambda v: v.item() if hasattr(v, "item") else v  # noqa: E731 (numpy scalars to Python)
        figure = Figure(Source(mart, tuple((k, plain(row[k])) for k in key), column), decimals, format_value(value, decimals), kind)
        self.entries.append(figure)
        return figure

    def share(self, numerator: Printed, denominator: Printed) -> Share:
        decimals = self.decimals("rate")
        share = Share(numerator, denominator, decimals, share_text(_value(numerator), _value(denominator), decimals))
        self.entries.append(share)
        return share

    def _derive(self, op: str, parts: list[Printed], kind: str) -> Derived:
        decimals = self.decimals(kind)
        values = [_value(p) for p in parts]
        value = None if any(v is None for v in values) else (sum(values) if op == "sum" else values[0] - sum(values[1:]))
        derived = Derived(op, tuple(parts), decimals, format_value(value, decimals), kind)
        self.entries.append(derived)
        return derived

    def sum(self, parts: list[Printed], kind: str = "count") -> Derived:
        return self._derive("sum", parts, kind)

    def difference(self, whole: Printed, part: Printed, kind: str = "count") -> Derived:
        return self._derive("difference", [whole, part], kind)

    def check_sum(self, parts: list[Figure], total: Figure) -> None:
        self.sum_checks.append(SumCheck(tuple(parts), total))

    def name(self, org_id, org_name: str, parent: Name | None = None) -> Name:
        """A unit's name as printed, from dim_org_unit; after its parent's (checked too) where given."""
        plain = org_id.item() if hasattr(org_id, "item") else org_id
        named = Name(Source("dim_org_unit", (("org_id", plain),), "org_name"), -1, str(org_name),
                     prefix=str(parent) if parent is not None else "")
        self.entries.append(named)
        return named

    def unit_list(self, names: list[Name]) -> str:
        """The names and their count as printed: "甲、乙2个"."""
        listed = UnitList(tuple(names), str(len(names)))
        self.unit_lists.append(listed)
        return "、".join(str(n) for n in listed.names) + f"{listed.count}个"

    def tie(self, mart: str, row: dict, key: tuple[str, ...], column: str, decimals: int, printed: str,
            names: list[Name], count: str | None = None) -> None:
        """Units printed as those at a value of a mart's column: names, or their count alone."""
        plain = lambda v: v.item() if hasattr(v, "item") else v  # noqa: E731 (numpy scalars to Python)
        self.tie_checks.append(TieCheck(mart, tuple((k, plain(row[k])) for k in key), column, decimals, printed, tuple(names), count))
