"""The bulletin is dated the first workday on or after `issue_day` of the next month by the
workday calendar (调休 included), never a Sunday or a holiday, unless the district fixes the
month's date in its own profile (`issue_dates`)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from gridpulse.bulletin.build import issue_date, settings
from gridpulse.calendar import is_workday
from gridpulse.period import Period


# 2021-10-05 falls in the National Day holidays, 2023-02-05 is a Sunday, 2022-12-05 a Monday
@pytest.mark.parametrize("period", ["2021-09", "2023-01", "2022-11"])
def test_dated_the_first_workday_from_the_issue_day(period):
    conf = settings()
    day = issue_date(period, conf, {})
    wanted = Period.parse(period).next_first_day.replace(day=int(conf["issue_day"]))
    assert is_workday(day) and day >= wanted
    assert not any(is_workday(wanted + timedelta(days=n)) for n in range((day - wanted).days))


def test_a_date_the_district_fixes_is_kept():
    office = {"issue_dates": {"2023-01": "2023-02-03"}}
    assert issue_date("2023-01", settings(), office) == date(2023, 2, 3)
    assert issue_date("2022-11", settings(), office) == issue_date("2022-11", settings(), {})
