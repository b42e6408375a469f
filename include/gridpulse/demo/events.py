"""The month's events, and the transfers of some of them, vectorised over all reporters."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gridpulse.demo.district import District
from gridpulse.demo.exact import choose, choose_per_group

DUE_DAYS = {"矛盾纠纷": 15, "城市管理": 5, "其他": 7}  # handling deadlines; 3 days for the rest


def report_times(rng: np.random.Generator, days: pd.DatetimeIndex, n: int) -> pd.Series:
    """Random reporting times on the given days, in office hours."""
    day = days[rng.integers(0, len(days), n)]
    return pd.Series(day + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, n), unit="s"))


def _categories(spec: dict, rng: np.random.Generator, n: int, hazard: np.ndarray | None = None) -> np.ndarray:
    names = np.array(list(spec["categories"]))
    weights = np.array(list(spec["categories"].values()), dtype=float)
    is_hazard = np.isin(names, spec["hazard_categories"])
    drawn = names[rng.choice(len(names), n, p=weights / weights.sum())]
    if hazard is not None:  # force a hazard category where asked, a non-hazard one elsewhere when drawn
        h_names, h_w = names[is_hazard], weights[is_hazard]
        drawn[hazard] = h_names[rng.choice(len(h_names), hazard.sum(), p=h_w / h_w.sum())]
    return drawn


def _event_counts(district: District, rng, worker_total: int) -> np.ndarray:
    """Events per worker: 20 or more for those meeting the quota, 8-19 for each township's exact
    number short of it. Townships with an events_per_worker figure get exactly that average; the
    others share what is left of the district's total."""
    towns, township = district.townships, district.workers.township_id.to_numpy()
    short = choose_per_group(rng, township, dict(zip(towns.org_id, towns.short_of_event_quota)))
    counts = np.where(short, rng.integers(8, 20, len(township)), 20)
    fixed = np.zeros(len(township), dtype=bool)
    for town in towns[towns.get("events_per_worker", pd.Series(index=towns.index, dtype=float)).notna()].itertuples():
        members = township == town.org_id
        fixed |= members
        _spread(rng, counts, members & ~short, round(town.events_per_worker * town.workers) - counts[members].sum())
    _spread(rng, counts, ~fixed & ~short, worker_total - counts.sum())
    return counts


def _spread(rng, counts: np.ndarray, among: np.ndarray, extra: int) -> None:
    """Add `extra` events at random among the chosen workers."""
    idx = np.flatnonzero(among)
    if extra < 0 or not len(idx):
        raise ValueError(f"demo calibration: cannot spread {extra} events over {len(idx)} workers")
    counts[idx] += rng.multinomial(extra, np.full(len(idx), 1 / len(idx)))


def _worker_events(spec: dict, district: District, rng, days, worker_total: int) -> pd.DataFrame:
    """Grid workers' events with each township's exact numbers short of the event and hazard quotas."""
    workers = district.workers
    counts = _event_counts(district, rng, worker_total)
    short_hazard = choose_per_group(rng, workers.township_id.to_numpy(), dict(zip(district.townships.org_id, district.townships.short_of_hazard_quota)))
    owner = np.repeat(np.arange(len(workers)), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)  # 0.. within a worker
    forced_hazard = (rank < 2) & ~short_hazard[owner]
    category = _categories(spec, rng, len(owner), forced_hazard)
    # a worker short of the hazard quota has at most one hazard event
    misses = short_hazard[owner] & np.isin(category, spec["hazard_categories"]) & (rank >= 1)
    category[misses] = "城市管理"
    return pd.DataFrame({
        "reported_at": report_times(rng, days, len(owner)),
        "reporter_id": workers.worker_id.to_numpy()[owner],
        "reporter_role": "grid_worker",
        "org_id": workers.grid_id.to_numpy()[owner],
        "township_id": workers.township_id.to_numpy()[owner],
        "category": category,
        "protected": forced_hazard,  # stays valid, so the quota it serves holds
    })


def _other_events(spec: dict, district: District, rng, days, scale: float) -> pd.DataFrame:
    """Events of township centres (their exact counts), one per village centre, volunteers' and agencies'."""
    towns = district.townships
    villages = district.org_units[district.org_units.org_level == "village"]
    n = towns.centre_events.to_numpy()
    parts = [pd.DataFrame({"reporter_id": np.repeat(towns.org_id, n), "reporter_role": "township_centre",
                           "org_id": np.repeat(towns.org_id, n), "township_id": np.repeat(towns.org_id, n)}),
             pd.DataFrame({"reporter_id": villages.org_id, "reporter_role": "village_centre",
                           "org_id": villages.org_id, "township_id": villages.parent_org_id})]
    active = district.workers[district.workers.township_id.isin(towns.loc[towns.name.isin(spec["volunteer_townships"]), "org_id"])]
    n_vol = round(spec["volunteer_events"] * scale)
    pick = rng.integers(0, len(active), n_vol)
    parts.append(pd.DataFrame({"reporter_id": [f"V{i:05d}" for i in rng.integers(1, max(2, n_vol // 3), n_vol)], "reporter_role": "volunteer",
                               "org_id": active.grid_id.to_numpy()[pick], "township_id": active.township_id.to_numpy()[pick]}))
    n_ag = round(spec["agency_events"] * scale)
    town = rng.integers(0, len(towns), n_ag)
    parts.append(pd.DataFrame({"reporter_id": np.array(district.agencies)[rng.integers(0, len(district.agencies), n_ag)],
                               "reporter_role": "agency", "org_id": towns.org_id.to_numpy()[town], "township_id": towns.org_id.to_numpy()[town]}))
    frame = pd.concat(parts, ignore_index=True)
    frame["reported_at"] = report_times(rng, days, len(frame))
    frame["category"] = _categories(spec, rng, len(frame))
    # township centres' and volunteers' events are valid: the first serve a quota, the second are
    # counted as valid reports in the bulletin
    frame["protected"] = frame.reporter_role.isin(["township_centre", "volunteer"])
    return frame


def _carried_over(spec: dict, district: District, rng, previous_days, scale: float) -> pd.DataFrame:
    n = round(spec["carried_over_events"] * scale)
    pick = rng.integers(0, len(district.workers), n)
    workers = district.workers.iloc[pick]
    return pd.DataFrame({"reported_at": report_times(rng, previous_days, n), "reporter_id": workers.worker_id.to_numpy(),
                         "reporter_role": "grid_worker", "org_id": workers.grid_id.to_numpy(),
                         "township_id": workers.township_id.to_numpy(), "category": _categories(spec, rng, n), "protected": False})


def _deadlines(frame: pd.DataFrame, spec: dict, rng, month_end: pd.Timestamp, scale: float) -> None:
    """Deadlines by category. The volunteers' events still open at the month's end were reported
    in its last two days, so they are open without being overdue."""
    volunteer = (frame.reporter_role == "volunteer").to_numpy()
    still_open = choose(rng, volunteer, (volunteer.sum() - round(spec["volunteer_events_closed"] * scale)))
    late_in_month = month_end - pd.to_timedelta(rng.integers(3600, 2 * 86400, len(frame)), unit="s")
    frame["reported_at"] = frame.reported_at.where(~still_open, late_in_month)
    frame["stays_open"] = still_open
    due_days = frame.category.map(DUE_DAYS).fillna(3).to_numpy()
    frame["due_at"] = frame.reported_at + pd.to_timedelta(due_days, unit="D")


def _overdue(frame: pd.DataFrame, district: District, rng, month_end: pd.Timestamp) -> np.ndarray:
    """Exactly round(valid x (1 - timeliness)) of each township's new valid events are overdue;
    a third of the carried-over events are."""
    new_valid = (~frame.is_carried_over & frame.is_valid).to_numpy()
    # volunteers' events are not made late: the app's closed count is configured on its own
    can_be_late = (new_valid & (frame.due_at < month_end).to_numpy() & ~frame.stays_open.to_numpy()
                   & (frame.reporter_role != "volunteer").to_numpy())
    township = frame.township_id.to_numpy()
    valid_counts = pd.Series(township[new_valid]).value_counts()
    wanted = {t.org_id: round(valid_counts.get(t.org_id, 0) * (1 - t.timeliness)) for t in district.townships.itertuples()}
    late = choose_per_group(rng, township, wanted, can_be_late)
    return late | (frame.is_carried_over.to_numpy() & (rng.random(len(frame)) < 0.3))


def _closing(frame: pd.DataFrame, late: np.ndarray, rng, month_end: pd.Timestamp) -> None:
    """On-time events close before their deadline; late ones after it, or not by the month's end.
    Volunteers' events that do not stay open close within the month, so that the app's closed
    count is the configured one."""
    span = (frame.due_at - frame.reported_at).dt.total_seconds().to_numpy()
    until_end = (month_end - frame.reported_at).dt.total_seconds().to_numpy()
    span = np.where((frame.reporter_role == "volunteer").to_numpy(), np.minimum(span, until_end), span)
    on_time = frame.reported_at + pd.to_timedelta(span * rng.uniform(0.05, 0.95, len(frame)), unit="s")
    too_late = frame.due_at + pd.to_timedelta(rng.integers(3600, 5 * 86400, len(frame)), unit="s")
    closed = on_time.where(~late, too_late)
    closed = closed.where((closed < month_end) & ~frame.stays_open)
    frame["closed_at"] = closed  # NaT: still open


def build_events(spec: dict, district: District, rng, period_days: pd.DatetimeIndex, previous_days: pd.DatetimeIndex, scale: float) -> pd.DataFrame:
    month_end = period_days[-1] + pd.Timedelta(days=1)
    others = _other_events(spec, district, rng, period_days, scale)
    workers = _worker_events(spec, district, rng, period_days, round(spec["new_events"] * scale) - len(others))
    new = pd.concat([workers, others], ignore_index=True)
    new["is_carried_over"] = False
    old = _carried_over(spec, district, rng, previous_days, scale).assign(is_carried_over=True)
    frame = pd.concat([new, old], ignore_index=True)
    invalid = choose(rng, ~frame.protected.to_numpy() & ~frame.is_carried_over.to_numpy(), round(spec["invalid_events"] * scale))
    frame["is_valid"] = ~invalid
    frame["invalid_reason"] = np.where(invalid, np.array(spec["invalid_reasons"])[rng.integers(0, len(spec["invalid_reasons"]), len(frame))], None)
    _deadlines(frame, spec, rng, month_end, scale)
    _closing(frame, _overdue(frame, district, rng, month_end), rng, month_end)
    frame = frame.sort_values(["reported_at", "reporter_id"], kind="stable").reset_index(drop=True)
    month = f"{period_days[0]:%Y%m}"  # once, not per row: a province month has millions of rows
    frame["event_id"] = [f"E{month}{i + 1:07d}" for i in range(len(frame))]
    frame["is_safety_hazard"] = frame.category.isin(spec["hazard_categories"])
    frame["quality_rating"] = None
    _rate_quality(spec, district, frame, rng)
    return frame.drop(columns=["stays_open"])


def _rate_quality(spec: dict, district: District, frame: pd.DataFrame, rng) -> None:
    """Events put up for the city's quality rating; some are rated best."""
    names = district.townships.set_index("org_name").org_id
    for township, best in spec["city_best_events"].items():
        if township not in names:
            continue
        pool = frame.index[(frame.township_id == names[township]) & frame.is_valid & ~frame.is_carried_over & (frame.reporter_role == "grid_worker")]
        chosen = rng.choice(pool, size=min(len(pool), best * 2), replace=False)
        frame.loc[chosen[:best], "quality_rating"] = "city_best"
        frame.loc[chosen[best:], "quality_rating"] = "nominated"


def build_transfers(district: District, events: pd.DataFrame, rng, month_end: pd.Timestamp) -> pd.DataFrame:
    """Each township centre transfers some of its township's new valid events to agencies, between
    the event's report and its close (or the month's end)."""
    rows = []
    candidates = events[~events.is_carried_over & events.is_valid]
    members = candidates.groupby("township_id", sort=False).indices  # positions, ascending
    for t in district.townships.itertuples():
        pool = candidates.index[members.get(t.org_id, np.array([], dtype=int))]
        for idx in rng.choice(pool, size=min(len(pool), t.transfers), replace=False):
            at = min(events.at[idx, "reported_at"] + pd.Timedelta(seconds=int(rng.integers(1800, 86400))), month_end - pd.Timedelta(seconds=1))
            closed = events.at[idx, "closed_at"]
            rows.append({"event_id": events.at[idx, "event_id"], "from_org_id": t.org_id,
                         "to_org_id": district.agencies[rng.integers(0, len(district.agencies))],
                         # never after the event's close: validation refuses such a transfer
                         "transferred_at": at if pd.isna(closed) else min(at, closed)})
    frame = pd.DataFrame(rows).sort_values("transferred_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "transfer_id", [f"T{i + 1:07d}" for i in range(len(frame))])
    return frame
