"""The one rounding policy: round half up to the printed decimals (dbt's round_half_up macro
does the same in SQL). Python only formats figures that the marts computed."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> Decimal:
    # repr() gives the shortest decimal that round-trips, so 2.675 stays 2.675, not 2.67499…
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt(value: float | None, decimals: int = 2) -> str:
    """A figure as printed: fixed decimals, or '/' where there is none (as the seeds print)."""
    if value is None:
        return "/"
    return f"{round_half_up(value, decimals):f}"


def pct(rate: float | None, decimals: int = 1) -> str:
    """A rate in 0..1 printed as a percentage."""
    return "/" if rate is None else fmt(rate * 100, decimals) + "%"
