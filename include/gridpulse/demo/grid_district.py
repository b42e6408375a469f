"""A demo street scored grid by grid (seed 002's 百官街道): every grid's counts are exact.

The spec (include/config/demo/baiguan.yml) lists the units and their grids with what each grid
falls short of; everything else meets the grid scheme's standards, as in the printed table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from gridpulse.demo.district import worker_ids
from gridpulse.demo.events import DUE_DAYS, report_times


def _structure(spec: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    district, town = spec["district"], spec["township"]
    units, grids = [], []
    for u, unit in enumerate(spec["units"], start=1):
        unit_id = f"{town['code']}{u:03d}"
        units.append({"org_id": unit_id, "org_name": unit["unit"]})
        for g, grid in enumerate(unit["grids"], start=1):
            grids.append({**grid, "grid_id": f"{unit_id}{g:03d}", "village_id": unit_id})
    units, grids = pd.DataFrame(units), pd.DataFrame(grids)
    org_units = pd.concat([
        pd.DataFrame([{"org_id": district["code"], "org_name": district["name"], "org_level": "district", "parent_org_id": None, "population": town["population"], "has_centre": True},
                      {"org_id": town["code"], "org_name": town["name"], "org_level": "township", "parent_org_id": district["code"], "population": town["population"], "has_centre": True}]),
        pd.DataFrame({"org_id": units.org_id, "org_name": units.org_name, "org_level": "village", "parent_org_id": town["code"],
                      "population": town["population"] // len(units), "has_centre": True}),
        pd.DataFrame({"org_id": grids.grid_id, "org_name": grids.name, "org_level": "grid", "parent_org_id": grids.village_id, "population": None, "has_centre": False}),
        pd.DataFrame({"org_id": [f"{district['code']}A{i + 1:02d}" for i in range(len(spec["agencies"]))], "org_name": spec["agencies"],
                      "org_level": "agency", "parent_org_id": district["code"], "population": None, "has_centre": False}),
    ], ignore_index=True)
    return org_units, grids.fillna({"valid_events_short": 0, "overdue": 0, "unvisited": 0})


def _events_per_grid(spec: dict, grids: pd.DataFrame, rng) -> np.ndarray:
    """Grids short of the standard get exactly standard - short events; the others share the rest."""
    standard = spec["valid_event_standard"]
    counts = np.where(grids.valid_events_short > 0, standard - grids.valid_events_short, standard + 1).astype(int)
    full = np.flatnonzero(grids.valid_events_short == 0)
    counts[full] += rng.multinomial(spec["events"] - counts.sum(), np.full(len(full), 1 / len(full)))
    return counts


def _events(spec: dict, grids: pd.DataFrame, workers: pd.DataFrame, rng, days: pd.DatetimeIndex) -> pd.DataFrame:
    counts = _events_per_grid(spec, grids, rng)
    owner = np.repeat(np.arange(len(grids)), counts)
    categories = np.repeat(list(spec["categories"]), list(spec["categories"].values()))
    month_end = days[-1] + pd.Timedelta(days=1)
    frame = pd.DataFrame({"reported_at": report_times(rng, days, len(owner)), "grid": owner,
                          "reporter_id": workers.worker_id.to_numpy()[owner], "reporter_role": "grid_worker",
                          "org_id": grids.grid_id.to_numpy()[owner], "category": rng.permutation(categories),
                          "is_valid": True, "invalid_reason": None, "is_carried_over": False, "quality_rating": None})
    frame["is_safety_hazard"] = frame.category.isin(spec["hazard_categories"])
    frame["due_at"] = frame.reported_at + pd.to_timedelta(frame.category.map(DUE_DAYS).fillna(3), unit="D")
    span = (frame.due_at - frame.reported_at).dt.total_seconds().to_numpy()
    frame["closed_at"] = frame.reported_at + pd.to_timedelta(span * rng.uniform(0.05, 0.95, len(frame)), unit="s")
    # one event of each grid with an overdue count closes a day after its deadline
    due_early = frame.due_at < month_end - pd.Timedelta(days=2)
    late = frame[due_early & frame.grid.isin(np.flatnonzero(grids.overdue.to_numpy() > 0))].groupby("grid").head(1).index
    frame.loc[late, "closed_at"] = frame.loc[late, "due_at"] + pd.Timedelta(days=1)
    frame["closed_at"] = frame.closed_at.where(frame.closed_at < month_end)  # NaT: still open
    frame["is_late"] = frame.index.isin(late)
    frame = frame.sort_values(["reported_at", "reporter_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "event_id", [f"E{days[0]:%Y%m}{i + 1:07d}" for i in range(len(frame))])
    return frame


def _transfers(spec: dict, org_units: pd.DataFrame, events: pd.DataFrame, rng) -> pd.DataFrame:
    agencies = org_units[org_units.org_level == "agency"].set_index("org_name").org_id
    rows, pool = [], np.flatnonzero(events.closed_at.notna() & ~events.is_late)
    for agency, n in spec["transfers"].items():
        for idx in rng.choice(pool, size=n, replace=False):
            rows.append({"event_id": events.event_id[idx], "from_org_id": spec["township"]["code"], "to_org_id": agencies[agency],
                         # two hours after the report, or at the close if it came sooner
                         "transferred_at": min(events.reported_at[idx] + pd.Timedelta(hours=2), events.closed_at[idx])})
    frame = pd.DataFrame(rows)
    frame.insert(0, "transfer_id", [f"T{i + 1:07d}" for i in range(len(frame))])
    return frame


def _special_population(spec: dict, grids: pd.DataFrame, workers: pd.DataFrame, fake: Faker, rng, days) -> tuple[pd.DataFrame, pd.DataFrame]:
    per_grid = spec["special_population_per_grid"]
    worker = np.repeat(workers.worker_id.to_numpy(), per_grid)
    n = len(worker)
    people = pd.DataFrame({"person_id": [f"TS{i + 1:07d}" for i in range(n)],
                           "person_type": np.where(rng.random(n) < 0.6, "drug_user", "severe_mental_disorder"),
                           "worker_id": worker, "person_name": [fake.name() for _ in range(n)],
                           "id_number": [fake.ssn() for _ in range(n)], "guardian_phone": [fake.phone_number() for _ in range(n)]})
    unvisited = np.repeat(grids.unvisited.to_numpy() > 0, per_grid) & (np.arange(n) % per_grid == 0)
    visited = people[~unvisited]
    at = days[rng.integers(0, len(days), len(visited))] + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, len(visited)), unit="s")
    visits = pd.DataFrame({"visit_id": [f"Z{days[0]:%Y%m}{i + 1:07d}" for i in range(len(visited))],
                           "person_id": visited.person_id.to_numpy(), "worker_id": visited.worker_id.to_numpy(), "visited_at": at})
    return people, visits


def _app_and_patrols(workers: pd.DataFrame, rng, days, workdays) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every worker is online every day, long enough and far enough; patrols an hour or more each workday."""
    ids = workers.worker_id.to_numpy()
    n, d = len(ids), len(days)
    app = pd.DataFrame({"worker_id": np.repeat(ids, d), "activity_date": np.tile(days, n), "is_online": True,
                        "online_minutes": rng.integers(250, 600, n * d), "distance_km": np.round(rng.uniform(5.5, 20, n * d), 2)})
    start = np.repeat(workdays, n) + pd.to_timedelta(rng.integers(8 * 3600, 16 * 3600, n * len(workdays)), unit="s")
    minutes = rng.integers(62, 150, n * len(workdays))
    patrols = pd.DataFrame({"worker_id": np.tile(ids, len(workdays)), "started_at": start,
                            "ended_at": start + pd.to_timedelta(minutes * 60, unit="s"), "distance_km": np.round(rng.uniform(2, 15, n * len(workdays)), 2)})
    patrols.insert(0, "patrol_id", [f"P{days[0]:%Y%m}{i + 1:07d}" for i in range(len(patrols))])
    return app, patrols


def _disputes(spec: dict, org_units: pd.DataFrame, rng, days) -> pd.DataFrame:
    villages = org_units[org_units.org_level == "village"].org_id.to_numpy()
    n = spec["disputes"]
    at = days[rng.integers(0, len(days), n)] + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, n), unit="s")
    frame = pd.DataFrame({"org_id": villages[rng.integers(0, len(villages), n)], "found_level": "village", "reported_at": at, "is_resolved": True})
    frame = frame.sort_values(["reported_at", "org_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "dispute_id", [f"D{days[0]:%Y%m}{i + 1:06d}" for i in range(n)])
    return frame


def _adjustments(grids: pd.DataFrame, scheme_id: str) -> pd.DataFrame:
    rows = [{"scheme_id": scheme_id, "org_id": grid.grid_id, "points": adj["points"], "reason": adj["reason"]}
            for grid in grids.itertuples() if isinstance(grid.adjustments, list) for adj in grid.adjustments]
    frame = pd.DataFrame(rows, columns=["scheme_id", "org_id", "points", "reason"])
    frame.insert(0, "adjustment_id", [f"J{i + 1:04d}" for i in range(len(frame))])
    return frame


def canonical_tables(spec: dict, rng, fake: Faker, days: pd.DatetimeIndex, workdays: pd.DatetimeIndex) -> dict[str, pd.DataFrame]:
    org_units, grids = _structure(spec)
    n = len(grids)
    workers = pd.DataFrame({"worker_id": worker_ids(str(spec["district"]["code"]), n), "grid_id": grids.grid_id,
                            "worker_name": [fake.name() for _ in range(n)], "phone": [fake.phone_number() for _ in range(n)],
                            "id_number": [fake.ssn() for _ in range(n)],
                            "active_from": days[0] - pd.to_timedelta(rng.integers(30, 1500, n), unit="D"), "active_to": pd.NaT})
    events = _events(spec, grids, workers, rng, days)
    transfers = _transfers(spec, org_units, events, rng)
    events = events.drop(columns=["grid", "is_late"])
    people, visits = _special_population(spec, grids, workers, fake, rng, days)
    app, patrols = _app_and_patrols(workers, rng, days, workdays)
    units = org_units[org_units.org_level.isin(["township", "village"])].org_id.to_numpy()
    logins = pd.DataFrame({"org_id": np.repeat(units, len(workdays)), "login_date": np.tile(workdays, len(units)), "login_count": 1})
    return {"org_units": org_units, "grid_workers": workers, "events": events, "event_transfers": transfers,
            "patrols": patrols, "app_activity": app, "special_population": people, "special_population_visits": visits,
            "disputes": _disputes(spec, org_units, rng, days), "admin_logins": logins, "score_adjustments": _adjustments(grids, spec["scheme_id"])}
