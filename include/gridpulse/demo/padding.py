"""Padding patterns planted in a demo month, so the integrity signals (数据质量提示) have real cases.

A generated month is near-uniform: no worker far above the others, no burst, nothing to find. With
planting switched on (`generate(..., padding=...)`, `python -m gridpulse.demo --plant`), this
module changes a few workers and grids of the drawn month the way padding would, after every other
draw, from a random generator of its own (the month's seed mixed with PADDING_SEED): the month
without planting is the same bytes as ever, and the same seed plants the same cases.

The mix is data: include/config/demo/padding.yml says how many units get each pattern. A unit gets
one pattern at most. The patterns, one per signal of include/config/integrity_signals.yml, and the
limits they are planted against (read from that file, so the two cannot drift apart):

| signal | planted in | how |
|---|---|---|
| events_far_above_township_median | a worker | copies of their own events, spread over the month, to 3x the township's median |
| month_end_burst | a worker | 80 % of their events moved into the month's last days |
| near_duplicate_events | a worker | 6 of their events filed again, 1-8 minutes after the first |
| implausible_patrols | a worker | 6 of their patrols recorded at 0 km |
| online_days_without_work | a worker | online every day, patrols dropped on every day without an event |
| instant_closes | a grid | 4 of its events put in the first slow category and closed 1 minute to the limit after the report |
| late_timestamps | a grid | 2 of its events closed after the month's end, before the export |

The cases planted, with the records behind each, are returned (and written by the generator to
<out>/<period>.planted.json, beside the export, not in it): the answer key of the signal tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridpulse.config import CONFIG_DIR, read_yaml
from gridpulse.signals import KNOWN_SIGNALS, load_signals

PADDING_FILE = CONFIG_DIR / "demo" / "padding.yml"
PADDING_SEED = 31  # mixed with the month's seed: planting never shares draws with the month


@dataclass
class Case:
    signal_id: str
    unit_id: str
    record_ids: list[str] = field(default_factory=list)


def padding_mix(path=PADDING_FILE) -> dict[str, int]:
    """{signal_id: units to plant it in} from the padding file."""
    mix = {str(k): int(v) for k, v in (read_yaml(path).get("patterns") or {}).items()}
    unknown = sorted(set(mix) - set(KNOWN_SIGNALS))
    if unknown:
        raise ValueError(f"{path}: no pattern for {unknown}; known: {list(KNOWN_SIGNALS)}")
    return mix


class Planter:
    """The month's frames, changed in place, and the cases planted in them."""

    def __init__(self, frames: dict[str, pd.DataFrame], month_end: pd.Timestamp, seed: int):
        self.frames = frames
        self.month_end = month_end
        self.rng = np.random.default_rng([seed, PADDING_SEED])
        self.signals = {s["signal_id"]: s for s in load_signals()["signals"]}
        self.used: set[str] = set()
        self.cases: list[Case] = []
        self.added = 0
        events = frames["events"]
        self.new_events = events[(events.reporter_role == "grid_worker") & ~events.is_carried_over.astype(bool)]

    # -- choosing units ------------------------------------------------------------------------
    def _pick(self, candidates, k: int) -> list[str]:
        pool = sorted(set(map(str, candidates)) - self.used)
        chosen = list(self.rng.choice(pool, size=min(k, len(pool)), replace=False)) if pool else []
        self.used.update(chosen)
        return [str(c) for c in chosen]

    def _worker_events(self, worker: str) -> pd.DataFrame:
        return self.new_events[self.new_events.reporter_id == worker]

    def _new_ids(self, n: int) -> list[str]:
        month = f"{self.month_end - pd.Timedelta(days=1):%Y%m}"
        ids = [f"E{month}P{self.added + i + 1:06d}" for i in range(n)]
        self.added += n
        return ids

    def _append_events(self, rows: pd.DataFrame) -> list[str]:
        rows = rows.copy()
        rows["event_id"] = self._new_ids(len(rows))
        rows["quality_rating"] = None
        self.frames["events"] = pd.concat([self.frames["events"], rows], ignore_index=True)
        return list(rows.event_id)

    def _townships(self) -> dict[str, str]:
        """grid id -> township id, up the org units' parents."""
        units = self.frames["org_units"].set_index("org_id")
        found = {}
        for grid in self.frames["grid_workers"].grid_id.unique():
            unit = grid
            while unit in units.index and units.at[unit, "org_level"] != "township":
                unit = units.at[unit, "parent_org_id"]
            found[grid] = unit
        return found

    # -- the patterns --------------------------------------------------------------------------
    def events_far_above_township_median(self, k: int) -> None:
        workers = self.frames["grid_workers"]
        town = workers.grid_id.map(self._townships())
        counts = self.new_events.reporter_id.value_counts()
        reported = workers.worker_id.map(counts).fillna(0)
        medians = reported.groupby(town).transform("median")
        eligible = workers.worker_id[(reported >= 5) & (medians > 0)]
        threshold = self.signals["events_far_above_township_median"]["threshold"]
        minimum = self.signals["events_far_above_township_median"].get("min_base", 0)
        for worker in self._pick(eligible, k):
            own = self._worker_events(worker)
            target = int(max(np.ceil(medians[workers.worker_id == worker].iloc[0] * (threshold + 1)), minimum + 5))
            copies = own.sample(n=target - len(own), replace=True, random_state=self.rng.integers(2**31)).copy()
            days = pd.to_timedelta(self.rng.integers(0, 28, len(copies)), unit="D")
            start = self.month_end - pd.Timedelta(days=int((self.month_end - pd.Timedelta(days=1)).day))
            shift = (start + days + pd.to_timedelta(self.rng.integers(8 * 3600, 18 * 3600, len(copies)), unit="s")) - copies.reported_at
            copies = self._shift(copies, shift.to_numpy())
            added = self._append_events(copies)
            self.cases.append(Case("events_far_above_township_median", worker, sorted(list(own.event_id) + added)))

    def month_end_burst(self, k: int) -> None:
        signal = self.signals["month_end_burst"]
        days = int(signal.get("limit_value") or 3)
        counts = self.new_events.reporter_id.value_counts()
        eligible = counts.index[counts >= max(15, signal.get("min_base", 0) + 5)]
        events = self.frames["events"]
        for worker in self._pick(eligible, k):
            own = self._worker_events(worker)
            window = self.month_end - pd.Timedelta(days=days)
            early = own[own.reported_at < window]
            moved = early.sample(frac=min(1.0, 0.8 * len(own) / max(1, len(early))), random_state=self.rng.integers(2**31))
            targets = window + pd.to_timedelta(self.rng.integers(0, days, len(moved)), unit="D") + pd.to_timedelta(
                self.rng.integers(8 * 3600, 18 * 3600, len(moved)), unit="s")
            shifted = self._shift(moved, (targets - moved.reported_at.to_numpy()).to_numpy())
            events.loc[shifted.index, shifted.columns] = shifted
            late = own.index[(own.reported_at >= window)].union(moved.index)
            self.cases.append(Case("month_end_burst", worker, sorted(events.loc[late, "event_id"])))

    def near_duplicate_events(self, k: int) -> None:
        limit = float(self.signals["near_duplicate_events"].get("limit_value") or 10)
        counts = self.new_events.reporter_id.value_counts()
        for worker in self._pick(counts.index[counts >= 8], k):
            originals = self._worker_events(worker).sample(n=6, random_state=self.rng.integers(2**31)).copy()
            gap = pd.to_timedelta(self.rng.integers(60, int(limit * 60) - 60, len(originals)), unit="s")
            added = self._append_events(self._shift(originals, gap.to_numpy()))
            self.cases.append(Case("near_duplicate_events", worker, sorted(added)))

    def implausible_patrols(self, k: int) -> None:
        patrols = self.frames["patrols"]
        limit = float(self.signals["implausible_patrols"].get("limit_value") or 60)
        hours = (patrols.ended_at - patrols.started_at).dt.total_seconds() / 3600
        odd = (patrols.distance_km == 0) | (patrols.distance_km > limit * hours)
        per_worker = patrols.groupby("worker_id").size()
        clean = set(per_worker.index[per_worker >= 8]) - set(patrols.worker_id[odd])
        for worker in self._pick(clean, k):
            chosen = patrols[patrols.worker_id == worker].sample(n=6, random_state=self.rng.integers(2**31)).index
            patrols.loc[chosen, "distance_km"] = 0.0
            self.cases.append(Case("implausible_patrols", worker, sorted(patrols.loc[chosen, "patrol_id"])))

    def online_days_without_work(self, k: int) -> None:
        app, patrols = self.frames["app_activity"], self.frames["patrols"]
        threshold = self.signals["online_days_without_work"]["threshold"]
        event_days = {(w, d) for w, d in zip(self.new_events.reporter_id, self.new_events.reported_at.dt.normalize())}
        days = pd.DatetimeIndex(sorted(app.activity_date.unique()))
        free = {w: [d for d in days if (w, d) not in event_days] for w in app.worker_id.unique()}
        reporters = set(self.new_events.reporter_id)
        eligible = [w for w, d in free.items() if len(d) >= threshold + 2 and w in reporters]
        for worker in self._pick(eligible, k):
            rows = app.worker_id == worker
            app.loc[rows, "is_online"] = True
            app.loc[rows, "online_minutes"] = app.loc[rows, "online_minutes"].clip(lower=60)
            app.loc[rows, "distance_km"] = app.loc[rows, "distance_km"].clip(lower=1.0)
            idle = set(free[worker])
            drop = (patrols.worker_id == worker) & patrols.started_at.dt.normalize().isin(list(idle))
            self.frames["patrols"] = patrols = patrols[~drop].reset_index(drop=True)
            self.cases.append(Case("online_days_without_work", worker, sorted(f"{d:%Y-%m-%d}" for d in idle)))

    def instant_closes(self, k: int) -> None:
        signal = self.signals["instant_closes"]
        limit = float(signal.get("limit_value") or 15)
        category = signal["categories"][0]
        events = self.frames["events"]
        counts = self.new_events.org_id.value_counts()
        for grid in self._pick(counts.index[counts >= 6], k):
            chosen = self.new_events[self.new_events.org_id == grid].sample(n=4, random_state=self.rng.integers(2**31)).index
            events.loc[chosen, "category"] = category
            events.loc[chosen, "is_safety_hazard"] = self._is_hazard(category)
            minutes = pd.to_timedelta(self.rng.integers(60, int(limit * 60) - 60, len(chosen)), unit="s")
            events.loc[chosen, "closed_at"] = events.loc[chosen, "reported_at"] + minutes
            self.cases.append(Case("instant_closes", grid, sorted(events.loc[chosen, "event_id"])))

    def late_timestamps(self, k: int) -> None:
        events = self.frames["events"]
        counts = self.new_events.org_id.value_counts()
        for grid in self._pick(counts.index[counts >= 4], k):
            chosen = self.new_events[self.new_events.org_id == grid].sample(n=2, random_state=self.rng.integers(2**31)).index
            # after midnight, before the export is made (the manifest says 02:00 the next day)
            events.loc[chosen, "closed_at"] = self.month_end + pd.to_timedelta(self.rng.integers(600, 5400, len(chosen)), unit="s")
            self.cases.append(Case("late_timestamps", grid, sorted(events.loc[chosen, "event_id"])))

    # -- helpers ------------------------------------------------------------------------------
    def _is_hazard(self, category: str) -> bool:
        events = self.frames["events"]
        same = events.is_safety_hazard[events.category == category]
        return bool(same.iloc[0]) if len(same) else False

    def _shift(self, rows: pd.DataFrame, by) -> pd.DataFrame:
        """Rows moved in time by `by`, deadline and close with them; a close past the month's end is
        left open (planting late closes is a pattern of its own)."""
        rows = rows.copy()
        by = pd.to_timedelta(by)
        rows["reported_at"] = rows.reported_at + by
        rows["due_at"] = rows.due_at + by
        closed = rows.closed_at + by
        rows["closed_at"] = closed.where(closed < self.month_end)
        return rows

    def fix_transfers(self) -> None:
        """Transfers of moved or re-closed events stay between the report and the close."""
        transfers, events = self.frames["event_transfers"], self.frames["events"].set_index("event_id")
        reported = transfers.event_id.map(events.reported_at)
        closed = transfers.event_id.map(events.closed_at).fillna(self.month_end - pd.Timedelta(seconds=1))
        upper = closed.where(closed < self.month_end, self.month_end - pd.Timedelta(seconds=1))
        transfers["transferred_at"] = transfers.transferred_at.where(transfers.transferred_at >= reported, reported + pd.Timedelta(minutes=1))
        transfers["transferred_at"] = transfers.transferred_at.where(transfers.transferred_at <= upper, upper)


def plant(frames: dict[str, pd.DataFrame], month_end: pd.Timestamp, seed: int, mix: dict[str, int]) -> list[Case]:
    """Plant `mix` (signal id -> units) in the month's canonical frames; return the cases planted."""
    planter = Planter(frames, month_end, seed)
    for signal_id, k in mix.items():
        if k > 0:
            getattr(planter, signal_id)(k)
    planter.fix_transfers()
    events = frames["events"]
    frames["events"] = events.sort_values(["reported_at", "event_id"], kind="stable").reset_index(drop=True)
    return planter.cases
