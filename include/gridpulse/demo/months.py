"""How a calibrated demo district's other months differ from the month it was calibrated to.

The calibrated month (`calibrated_period` in its spec: 渝水区 2022-11, 百官街道 2021-09) is drawn
exactly as calibrated, so the seeds' tables stay reproduced. Any other month draws its behaviour again
around the calibrated profile, from a generator seeded by the seed and the month (the same month
twice gives the same bytes): townships patrol, report and handle events a little better or worse
(grids fall short of their standards in other places), so totals move and ranks change; and one grid's worker leaves mid-month and is replaced the next
day, as staff changes happen. The district's structure (townships, villages, grids, the workers
and their names) is the calibrated month's, so a worker is the same person from month to month.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from gridpulse.period import Period


def month_rng(seed: int, period: Period) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, period.year, period.month]))


def is_calibrated(spec: dict, period: Period) -> bool:
    """Whether the month is drawn as calibrated: the spec's own month, or a spec without one."""
    calibrated = spec.get("calibrated_period")
    return not calibrated or str(calibrated) == str(period)


def _bounded(values, low, high) -> list:
    return [int(v) for v in np.clip(np.round(values), low, high)]


def varied_spec(spec: dict, period: Period, rng: np.random.Generator) -> dict:
    """The spec with each township's behaviour drawn again around its calibrated value: the
    workers short of the patrol, event and hazard quotas, the centre's own events, timeliness
    and admin logins. Counts the district's totals fix (workers, villages, disputes, transfers)
    stay, so every total still adds up."""
    towns = pd.DataFrame(spec["townships"])
    n = len(towns)
    workers = towns.workers.to_numpy()
    # a township's month: better or worse than calibrated, the same way across its figures
    form = rng.normal(0, 1, n)
    patrol = towns.short_of_patrol_quota.to_numpy() * np.exp(-0.35 * form) + rng.normal(0, 2, n)
    towns["short_of_patrol_quota"] = _bounded(patrol, 0, workers // 2)
    towns["short_of_hazard_quota"] = _bounded(towns.short_of_hazard_quota - form + rng.normal(0, 1, n), 0, workers // 5)
    fixed = towns.get("events_per_worker", pd.Series(np.nan, index=towns.index)).notna().to_numpy()
    event_short = towns.short_of_event_quota - np.where(fixed, 0, form + rng.normal(0, 1, n))
    towns["short_of_event_quota"] = _bounded(event_short, 0, workers // 5)
    towns["centre_events"] = _bounded(towns.centre_events * np.exp(0.25 * form + rng.normal(0, 0.1, n)), 0, 60)
    towns["timeliness"] = np.round(np.clip(towns.timeliness + 0.008 * form + rng.normal(0, 0.003, n), 0.95, 0.998), 4)
    towns["login"] = np.round(np.clip(towns.login + 0.1 * form, 0.2, 1.0), 2)
    return spec | {"townships": [{k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))}
                                 for row in towns.to_dict("records")]}


def varied_grids(spec: dict, rng: np.random.Generator) -> dict:
    """A grid street's spec (kind: grids) with each grid's shortfalls drawn again around the
    calibrated ones: valid events short of the standard, an overdue event, an unvisited member.
    附加分 are a month's own decisions, with their reasons: another month has none."""
    units = []
    for unit in spec["units"]:
        grids = []
        for grid in unit["grids"]:
            short = int(np.clip(round(grid.get("valid_events_short", 0) + rng.normal(0, 1.5)), 0, 10))
            overdue = int(rng.random() < (0.5 if grid.get("overdue") else 0.08))
            unvisited = int(rng.random() < (0.5 if grid.get("unvisited") else 0.05))
            grids.append({"name": grid["name"], "adjustments": None, **{k: v for k, v in (("valid_events_short", short), ("overdue", overdue),
                                                                      ("unvisited", unvisited)) if v}})
        units.append({**unit, "grids": grids})
    return spec | {"units": units}


def replace_a_worker(frames: dict[str, pd.DataFrame], rng: np.random.Generator, period: Period) -> None:
    """One worker leaves on a day in the middle of the month and a new worker takes the grid
    over the next day: what the leaver did after leaving is the newcomer's (the app's days,
    patrols, events, visits), and the members the leaver visited are assigned to the newcomer."""
    workers = frames["grid_workers"]
    leaver = workers.iloc[int(rng.integers(0, len(workers)))]
    last_day = pd.Timestamp(period.first_day) + pd.Timedelta(days=int(rng.integers(10, 20)))
    newcomer_id = f"W{int(workers.worker_id.str[1:].astype(int).max()) + 1:06d}"
    fake = Faker("zh_CN")
    fake.seed_instance(int(rng.integers(0, 2**31)))
    newcomer = leaver.copy()
    newcomer["worker_id"], newcomer["worker_name"] = newcomer_id, fake.name()
    newcomer["phone"], newcomer["id_number"] = fake.phone_number(), fake.ssn()
    newcomer["active_from"], newcomer["active_to"] = last_day + pd.Timedelta(days=1), pd.NaT
    workers.loc[workers.worker_id == leaver.worker_id, "active_to"] = last_day
    frames["grid_workers"] = pd.concat([workers, newcomer.to_frame().T.astype(workers.dtypes)], ignore_index=True)
    after = last_day + pd.Timedelta(days=1)
    for name, who, when in (("app_activity", "worker_id", "activity_date"), ("patrols", "worker_id", "started_at"),
                            ("events", "reporter_id", "reported_at"), ("special_population_visits", "worker_id", "visited_at")):
        frame = frames[name]
        moved = (frame[who] == leaver.worker_id) & (pd.to_datetime(frame[when]) >= after)
        frame.loc[moved, who] = newcomer_id
    people = frames["special_population"]
    people.loc[people.worker_id == leaver.worker_id, "worker_id"] = newcomer_id
