"""The month's events, and the transfers of some of them, vectorised over all reporters."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gridpulse.demo.district import District

DUE_DAYS = {"矛盾纠纷": 15, "城市管理": 5, "其他": 7}  # handling deadlines; 3 days for the rest


def _times(rng: np.random.Generator, days: pd.DatetimeIndex, n: int) -> pd.Series:
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


def _worker_events(spec: dict, district: District, rng, days) -> pd.DataFrame:
    """Grid workers' events: most report >= 20 a month and >= 2 safety hazards, as their township's profile says."""
    workers = district.workers.merge(district.townships[["org_id", "event_ok", "hazard_ok"]], left_on="township_id", right_on="org_id")
    n = len(workers)
    meets_quota = rng.random(n) < workers.event_ok.to_numpy()
    meets_hazard = rng.random(n) < workers.hazard_ok.to_numpy()
    counts = np.where(meets_quota, 20 + rng.poisson(3.5, n), rng.integers(8, 20, n))
    owner = np.repeat(np.arange(n), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)  # 0.. within a worker
    forced_hazard = (rank < 2) & meets_hazard[owner]
    category = _categories(spec, rng, len(owner), forced_hazard)
    # a worker who misses the hazard quota has at most one hazard event
    misses = ~meets_hazard[owner] & np.isin(category, spec["hazard_categories"]) & (rank >= 1)
    category[misses] = "城市管理"
    return pd.DataFrame({
        "reported_at": _times(rng, days, len(owner)),
        "reporter_id": workers.worker_id.to_numpy()[owner],
        "reporter_role": "grid_worker",
        "org_id": workers.grid_id.to_numpy()[owner],
        "township_id": workers.township_id.to_numpy()[owner],
        "category": category,
        "protected": forced_hazard,  # stays valid, so the quota it serves holds
    })


def _centre_events(spec: dict, district: District, rng, days, scale: float) -> pd.DataFrame:
    towns = district.townships
    villages = district.org_units[district.org_units.org_level == "village"]
    parts = []
    n = towns.centre_events.to_numpy()
    parts.append(pd.DataFrame({"reporter_id": np.repeat(towns.org_id, n), "reporter_role": "township_centre",
                               "org_id": np.repeat(towns.org_id, n), "township_id": np.repeat(towns.org_id, n)}))
    v = rng.poisson(1.0, len(villages))
    parts.append(pd.DataFrame({"reporter_id": np.repeat(villages.org_id, v), "reporter_role": "village_centre",
                               "org_id": np.repeat(villages.org_id, v), "township_id": np.repeat(villages.parent_org_id, v)}))
    active = district.workers[district.workers.township_id.isin(towns.loc[towns.name.isin(spec["volunteer_townships"]), "org_id"])]
    n_vol = round(spec["volunteer_events"] * scale)
    pick = rng.integers(0, len(active), n_vol)
    parts.append(pd.DataFrame({"reporter_id": [f"V{i:05d}" for i in rng.integers(1, max(2, n_vol // 3), n_vol)], "reporter_role": "volunteer",
                               "org_id": active.grid_id.to_numpy()[pick], "township_id": active.township_id.to_numpy()[pick]}))
    n_ag = round(30 * scale)
    town = rng.integers(0, len(towns), n_ag)
    parts.append(pd.DataFrame({"reporter_id": np.array(district.agencies)[rng.integers(0, len(district.agencies), n_ag)],
                               "reporter_role": "agency", "org_id": towns.org_id.to_numpy()[town], "township_id": towns.org_id.to_numpy()[town]}))
    frame = pd.concat(parts, ignore_index=True)
    frame["reported_at"] = _times(rng, days, len(frame))
    frame["category"] = _categories(spec, rng, len(frame))
    frame["protected"] = frame.reporter_role == "township_centre"
    return frame


def _carried_over(spec: dict, district: District, rng, previous_days, scale: float) -> pd.DataFrame:
    n = round(spec["carried_over_events"] * scale)
    pick = rng.integers(0, len(district.workers), n)
    workers = district.workers.iloc[pick]
    return pd.DataFrame({"reported_at": _times(rng, previous_days, n), "reporter_id": workers.worker_id.to_numpy(),
                         "reporter_role": "grid_worker", "org_id": workers.grid_id.to_numpy(),
                         "township_id": workers.township_id.to_numpy(), "category": _categories(spec, rng, n), "protected": False})


def _handling(frame: pd.DataFrame, overdue_share: np.ndarray, rng, month_end: pd.Timestamp) -> pd.DataFrame:
    """Deadlines and closing times: most close on time; the township's overdue share close late or not at all."""
    due_days = frame.category.map(DUE_DAYS).fillna(3).to_numpy()
    frame["due_at"] = frame.reported_at + pd.to_timedelta(due_days, unit="D")
    span = (frame.due_at - frame.reported_at).dt.total_seconds().to_numpy()
    late = (rng.random(len(frame)) < overdue_share) & (frame.due_at < month_end).to_numpy()
    on_time = frame.reported_at + pd.to_timedelta(span * rng.uniform(0.05, 0.95, len(frame)), unit="s")
    too_late = frame.due_at + pd.to_timedelta(rng.integers(3600, 5 * 86400, len(frame)), unit="s")
    closed = on_time.where(~late, too_late)
    frame["closed_at"] = closed.where(closed < month_end)  # not closed by the end of the month
    return frame


def build_events(spec: dict, district: District, rng, period_days: pd.DatetimeIndex, previous_days: pd.DatetimeIndex, scale: float) -> pd.DataFrame:
    month_end = period_days[-1] + pd.Timedelta(days=1)
    new = pd.concat([_worker_events(spec, district, rng, period_days), _centre_events(spec, district, rng, period_days, scale)], ignore_index=True)
    new["is_carried_over"] = False
    old = _carried_over(spec, district, rng, previous_days, scale).assign(is_carried_over=True)
    frame = pd.concat([new, old], ignore_index=True).sort_values(["reported_at", "reporter_id"], kind="stable").reset_index(drop=True)
    overdue = frame.township_id.map(district.townships.set_index("org_id").overdue).to_numpy()
    frame = _handling(frame, np.where(frame.is_carried_over, 0.3, overdue), rng, month_end)
    frame.loc[frame.is_carried_over & frame.closed_at.isna(), "closed_at"] = None
    frame["event_id"] = [f"E{period_days[0]:%Y%m}{i + 1:07d}" for i in range(len(frame))]
    frame["is_safety_hazard"] = frame.category.isin(spec["hazard_categories"])
    invalid = (rng.random(len(frame)) < spec["invalid_share"]) & ~frame.protected.to_numpy()
    frame["is_valid"] = ~invalid
    frame["invalid_reason"] = np.where(invalid, np.array(spec["invalid_reasons"])[rng.integers(0, len(spec["invalid_reasons"]), len(frame))], None)
    frame["quality_rating"] = None
    _rate_quality(spec, district, frame, rng)
    return frame


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
    """Each township centre transfers some of its township's new valid events to agencies."""
    rows = []
    candidates = events[~events.is_carried_over & events.is_valid]
    for t in district.townships.itertuples():
        pool = candidates.index[candidates.township_id == t.org_id]
        for idx in rng.choice(pool, size=min(len(pool), t.transfers), replace=False):
            at = events.at[idx, "reported_at"] + pd.Timedelta(seconds=int(rng.integers(1800, 86400)))
            rows.append({"event_id": events.at[idx, "event_id"], "from_org_id": t.org_id,
                         "to_org_id": district.agencies[rng.integers(0, len(district.agencies))], "transferred_at": min(at, month_end - pd.Timedelta(seconds=1))})
    frame = pd.DataFrame(rows).sort_values("transferred_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "transfer_id", [f"T{i + 1:07d}" for i in range(len(frame))])
    return frame
