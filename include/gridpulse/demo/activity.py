"""Patrols, app activity, visits, disputes and admin logins of the month."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gridpulse.demo.district import District
from gridpulse.demo.exact import choose_per_group


def build_patrols(district: District, rng, days: pd.DatetimeIndex, workdays: pd.DatetimeIndex) -> pd.DataFrame:
    """Compliant workers patrol >= 1 hour every workday; each township's exact number of others
    fall short on a few days."""
    workers = district.workers
    n, w = len(workers), len(workdays)
    towns = district.townships
    compliant = ~choose_per_group(rng, workers.township_id.to_numpy(), dict(zip(towns.org_id, towns.short_of_patrol_quota)))
    minutes = rng.integers(62, 150, (n, w)).astype(float)
    short_days = (rng.random((n, w)) < 0.15) | (np.arange(w) == rng.integers(0, w, n)[:, None])
    minutes[~compliant[:, None] & short_days] = rng.integers(0, 55, (n, w))[~compliant[:, None] & short_days]
    worker_idx, day_idx = np.nonzero(minutes > 0)
    weekend = days[~days.isin(workdays)]
    extra = rng.random((n, len(weekend))) < 0.3
    x_worker, x_day = np.nonzero(extra)
    start_day = np.concatenate([workdays[day_idx], weekend[x_day]])
    who = np.concatenate([worker_idx, x_worker])
    length = np.concatenate([minutes[worker_idx, day_idx], rng.integers(30, 120, len(x_worker))])
    started = pd.Series(start_day + pd.to_timedelta(rng.integers(8 * 3600, 16 * 3600, len(who)), unit="s"))
    frame = pd.DataFrame({"worker_id": workers.worker_id.to_numpy()[who], "started_at": started,
                          "ended_at": started + pd.to_timedelta(length * 60 + rng.integers(0, 60, len(who)), unit="s"),
                          "distance_km": np.round(rng.uniform(2, 15, len(who)), 2)})
    frame = frame.sort_values(["started_at", "worker_id"], kind="stable").reset_index(drop=True)
    month = f"{days[0]:%Y%m}"  # once, not per row: a province month has millions of rows
    frame.insert(0, "patrol_id", [f"P{month}{i + 1:07d}" for i in range(len(frame))])
    return frame


def build_app_activity(district: District, rng, days: pd.DatetimeIndex, workdays: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per worker and day; every worker is online on some day (attendance)."""
    ids = district.workers.worker_id.to_numpy()
    n, d = len(ids), len(days)
    online = rng.random((n, d)) < np.where(days.isin(workdays), 0.95, 0.6)
    online[np.arange(n), rng.integers(0, d, n)] = True
    minutes = np.where(online, rng.integers(60, 600, (n, d)), 0)
    distance = np.where(online, np.round(rng.uniform(1, 20, (n, d)), 2), 0.0)
    return pd.DataFrame({"worker_id": np.repeat(ids, d), "activity_date": np.tile(days, n),
                         "is_online": online.ravel(), "online_minutes": minutes.ravel(), "distance_km": distance.ravel()})


def build_visits(district: District, rng, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Every member is visited by the assigned worker at least once; a few twice."""
    people = district.special_population
    twice = rng.random(len(people)) < 0.05
    idx = np.concatenate([np.arange(len(people)), np.nonzero(twice)[0]])
    visited = days[rng.integers(0, len(days), len(idx))] + pd.to_timedelta(rng.integers(8 * 3600, 19 * 3600, len(idx)), unit="s")
    frame = pd.DataFrame({"person_id": people.person_id.to_numpy()[idx], "worker_id": people.worker_id.to_numpy()[idx], "visited_at": visited})
    frame = frame.sort_values(["visited_at", "person_id"], kind="stable").reset_index(drop=True)
    month = f"{days[0]:%Y%m}"  # once, not per row: a province month has millions of rows
    frame.insert(0, "visit_id", [f"Z{month}{i + 1:07d}" for i in range(len(frame))])
    return frame


def build_disputes(spec: dict, district: District, rng, days: pd.DatetimeIndex, scale: float) -> pd.DataFrame:
    """The month's disputes: each township's count from its profile, the district's split by level."""
    towns = district.townships
    township = np.repeat(towns.org_id.to_numpy(), towns.disputes.to_numpy())
    total = len(township)
    levels = np.concatenate([np.full(round(spec["dispute_levels"][lvl] * total / sum(spec["dispute_levels"].values())), lvl)
                             for lvl in ("township", "village")])
    levels = np.concatenate([levels, np.full(total - len(levels), "grid")])
    levels = levels[rng.permutation(total)]
    units = district.org_units
    villages = units[units.org_level == "village"].groupby("parent_org_id").org_id.apply(list)
    grids = district.workers.groupby("township_id").grid_id.apply(list)
    def pick(choices: list[str]) -> str:
        return choices[rng.integers(len(choices))]

    org = [t if lvl == "township" else pick(villages[t] if lvl == "village" else grids[t]) for t, lvl in zip(township, levels)]
    unresolved = {level: round(k * scale) for level, k in spec["disputes_unresolved"].items()}
    resolved = ~choose_per_group(rng, levels, unresolved)
    reported = days[rng.integers(0, len(days), total)] + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, total), unit="s")
    frame = pd.DataFrame({"org_id": org, "found_level": levels, "reported_at": reported, "is_resolved": resolved})
    frame = frame.sort_values(["reported_at", "org_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "dispute_id", [f"D{days[0]:%Y%m}{i + 1:06d}" for i in range(total)])
    return frame


def build_admin_logins(district: District, rng, workdays: pd.DatetimeIndex) -> pd.DataFrame:
    """Township and village admin accounts log in on a share of workdays (their township's profile)."""
    units = district.org_units[district.org_units.org_level.isin(["township", "village"])]
    township = np.where(units.org_level == "township", units.org_id, units.parent_org_id)
    share = pd.Series(township).map(district.townships.set_index("org_id").login).to_numpy()
    logged = rng.random((len(units), len(workdays))) < share[:, None]
    u, d = np.nonzero(logged)
    return pd.DataFrame({"org_id": units.org_id.to_numpy()[u], "login_date": workdays[d], "login_count": rng.integers(1, 6, len(u))})
