"""The assessed month: a period 'YYYY-MM' and its days."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(str(text).strip())
        if not match:
            raise ValueError(f"period must look like 2022-11, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: date | datetime) -> Period:
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """First instant of the month (naive, local time of the platform)."""
        return datetime.combine(self.first_day, datetime.min.time())

    @property
    def end(self) -> datetime:
        """First instant after the month."""
        return datetime.combine(self.next_first_day, datetime.min.time())

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]

    def previous(self) -> Period:
        return Period.of(self.first_day - timedelta(days=1))

    def following(self) -> Period:
        return Period.of(self.next_first_day)

    @property
    def label_zh(self) -> str:
        return f"{self.year}年{self.month}月"
