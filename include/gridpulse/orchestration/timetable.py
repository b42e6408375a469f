"""The DAG's timetable: each run assesses one calendar month and exists only from its run day.

A month's data interval is the month itself (first midnight to first midnight of the next month, in
the district's time zone), so its logical date is the month's first instant. The scheduler creates
the month's run on the configured day and time of the next month (`schedule.run_day`, `run_time` in
gridpulse.yml: platforms finish a month's export in its first days), not at the month's end: no run
sits waiting for its day and holding a place in the queue.

A scheduled run's id names its month (`scheduled__2022-11`), so the UI's run list reads as months.
A run triggered in the UI gets `manual__<created>`: its month may be the `period` it was given,
which the timetable never sees, so its id names no month rather than a wrong one (`make trigger`
names its runs `manual__2022-11__<created>` itself). Airflow 3.3's backfill names its runs after
their run day (`backfill__2022-12-03T08:00:00+08:00` assesses 2022-11). Every run's note says its
month (gridpulse.orchestration.run_notes). Airflow must know the class to store the DAG:
plugins/gridpulse_timetables.py registers it.
"""
from __future__ import annotations

from datetime import timedelta

from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction
from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.utils.types import DagRunType
from pendulum import DateTime

MONTHLY = "0 0 1 * *"


class AssessedMonthTimetable(CronDataIntervalTimetable):
    def __init__(self, run_day: int, run_time: str, timezone: str):
        super().__init__(MONTHLY, timezone)
        hour, minute = (int(part) for part in run_time.split(":"))
        if not 1 <= run_day <= 28 or not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError(f"schedule: run_day {run_day} must be 1..28 and run_time {run_time!r} HH:MM")
        self.run_day, self.run_time = run_day, f"{hour:02d}:{minute:02d}"
        self.description = f"the previous month, on day {run_day} at {self.run_time} ({timezone})"

    @property
    def summary(self) -> str:
        return f"monthly, day {self.run_day} {self.run_time}"

    @classmethod
    def deserialize(cls, data: dict) -> AssessedMonthTimetable:
        return cls(data["run_day"], data["run_time"], data["timezone"])

    def serialize(self) -> dict:
        return {"run_day": self.run_day, "run_time": self.run_time, "timezone": self._timezone.name}

    def run_day_of(self, month_end: DateTime) -> DateTime:
        """When the month that ends at `month_end` (its next month's first instant) is run."""
        hour, minute = (int(part) for part in self.run_time.split(":"))
        local = month_end.in_timezone(self._timezone)
        return local + timedelta(days=self.run_day - 1, hours=hour, minutes=minute)

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        month = super().next_dagrun_info(last_automated_data_interval=last_automated_data_interval,
                                         restriction=restriction)
        if month is None or month.data_interval is None:
            return month
        return DagRunInfo(run_after=self.run_day_of(month.data_interval.end), data_interval=month.data_interval)

    def generate_run_id(self, *, run_type: DagRunType, run_after: DateTime, data_interval: DataInterval | None,
                        **extra) -> str:
        if data_interval is None:  # a manual run without a logical date: its month is in its conf
            return super().generate_run_id(run_type=run_type, run_after=run_after, data_interval=None, **extra)
        created = DateTime.utcnow().format("YYYYMMDD[T]HHmmss")
        if run_type == DagRunType.MANUAL:  # its month may be a `period` in its conf, unseen here
            return f"{run_type.value}__{created}"
        month = data_interval.start.in_timezone(self._timezone).format("YYYY-MM")
        if run_type == DagRunType.SCHEDULED:
            return f"{run_type.value}__{month}"  # one scheduled run per month
        # a month may be run again: the creation time keeps the id unique
        return f"{run_type.value}__{month}__{created}"
