"""The ten township indicators of seed 000 (the township scheme the settings name), computed
the way an engineer would without the pipeline: read the export's files with pandas, join and
count. It is the benchmark's second reference point (what one would write instead), and a test
checks that it gives the marts' numerators and denominators for the demo month, so the
comparison is between two programs that compute the same thing.

It validates nothing, keeps no history and writes nothing; it only computes.

    python benchmarks/pandas_reference.py <export folder> <period>
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from gridpulse import config
from gridpulse.calendar import workdays
from gridpulse.period import Period
from gridpulse.schemes import applies_to, load_scheme


def township_scheme(period: str) -> dict:
    """The township scheme in force for the month among those the settings name: its thresholds
    (params) are the ones the indicators count against, whatever the scheme's id."""
    found = [scheme for scheme in map(load_scheme, config.scheme_ids())
             if scheme["org_level"] == "township" and applies_to(scheme, period)]
    if len(found) != 1:
        raise LookupError(f"{period}: {len(found)} township schemes in force in the settings; the reference needs one")
    return found[0]


def read(folder: Path, table: str, mapping: dict) -> pd.DataFrame:
    """One export file under canonical column names, platform words mapped to codes."""
    spec = mapping["files"][table]
    path = folder / spec["file"]
    if path.suffix.lower() == ".xlsx":
        frame = pd.read_excel(path, dtype=str)
    else:
        try:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype=str, encoding="gb18030")
    frame = frame.rename(columns=spec["columns"])
    for column, words in (spec.get("values") or {}).items():
        frame[column] = frame[column].replace(words)
    return frame


def _flag(series: pd.Series, mapping: dict) -> pd.Series:
    return series.isin([str(w) for w in mapping["booleans"][True]])


def _hierarchy(units: pd.DataFrame) -> pd.DataFrame:
    """org_id -> township_id for every unit (grid -> village -> township)."""
    parent = units.set_index("org_id")["parent_org_id"]
    level = units.set_index("org_id")["org_level"]
    township = pd.Series(None, index=units.org_id, dtype=object)
    township[level == "township"] = level.index[level == "township"]
    villages = level.index[level == "village"]
    township[villages] = parent[villages].to_numpy()
    grids = level.index[level == "grid"]
    township[grids] = parent[parent[grids].to_numpy()].to_numpy()
    return township.rename("township_id").rename_axis("org_id").reset_index()


def _workers(folder: Path, mapping: dict, period: Period, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Every worker with the township of their grid, and whether they were active in the month."""
    workers = read(folder, "grid_workers", mapping)
    active_from = pd.to_datetime(workers.active_from)
    active_to = pd.to_datetime(workers.active_to)
    workers["active"] = (active_from <= pd.Timestamp(period.last_day)) & (active_to.isna() | (active_to >= pd.Timestamp(period.first_day)))
    workers = workers[["worker_id", "grid_id", "active"]].merge(hierarchy, left_on="grid_id", right_on="org_id", how="left")
    return workers.drop(columns="org_id").set_index("worker_id")


def _patrol_minimum(folder: Path, mapping: dict, period: Period, worker_ids: pd.Series) -> pd.Series:
    """Each worker's fewest minutes of patrol on a workday of the month (0 if a workday had none)."""
    patrols = read(folder, "patrols", mapping)
    started = pd.to_datetime(patrols.started_at)
    minutes = (pd.to_datetime(patrols.ended_at) - started).dt.total_seconds() / 60
    daily = minutes.groupby([patrols.worker_id, started.dt.normalize()]).sum()
    days = pd.to_datetime(workdays(period))
    grid = pd.MultiIndex.from_product([worker_ids, days], names=["worker_id", "day"])
    return daily.reindex(grid, fill_value=0).groupby(level="worker_id").min()


def township_indicators(folder: Path, period: str, mapping: dict | None = None) -> pd.DataFrame:
    """township_id, indicator_id, numerator, denominator, value for the ten items of seed 000."""
    mapping = mapping or config.platform_mapping()
    period = Period.parse(period)
    folder = Path(folder)
    params = {item["indicator_id"]: item.get("params") or {} for item in township_scheme(str(period))["items"]}
    month_end = pd.Timestamp(period.next_first_day)

    units = read(folder, "org_units", mapping)
    units["has_centre"] = _flag(units.has_centre, mapping)
    hierarchy = _hierarchy(units)
    townships = units[units.org_level == "township"].set_index("org_id")
    centres = townships.has_centre.astype(int)
    villages = units[units.org_level == "village"].merge(hierarchy, on="org_id")
    village_centres = villages[villages.has_centre].groupby("township_id").size()

    events = read(folder, "events", mapping)
    events = events[~_flag(events.is_carried_over, mapping)].merge(hierarchy, on="org_id", how="left")
    valid = _flag(events.is_valid, mapping)
    closed_at, due_at = pd.to_datetime(events.closed_at), pd.to_datetime(events.due_at)
    overdue = (closed_at.notna() & (closed_at > due_at)) | (closed_at.isna() & (due_at < month_end))
    by_township = events.groupby("township_id")
    new_events = by_township.size()
    valid_events = valid.groupby(events.township_id).sum()
    overdue_valid = (valid & overdue).groupby(events.township_id).sum()
    own = (events.reporter_role == "township_centre") & (events.reporter_id == events.township_id)
    centre_events = events[own].groupby("township_id").size()

    every_worker = _workers(folder, mapping, period, hierarchy)
    workers = every_worker[every_worker.active].copy()
    mine = events[events.reporter_role == "grid_worker"]
    hazard = mine[_flag(mine.is_valid, mapping) & _flag(mine.is_safety_hazard, mapping)]
    workers["events"] = mine.groupby("reporter_id").size().reindex(workers.index, fill_value=0)
    workers["hazards"] = hazard.groupby("reporter_id").size().reindex(workers.index, fill_value=0)
    workers["patrol_min"] = _patrol_minimum(folder, mapping, period, workers.index.to_series())
    per_worker = workers.groupby("township_id")

    transfers = read(folder, "event_transfers", mapping).groupby("from_org_id").size()
    disputes = read(folder, "disputes", mapping).merge(hierarchy, on="org_id").groupby("township_id").size()
    people = read(folder, "special_population", mapping).merge(every_worker[["township_id"]], left_on="worker_id", right_index=True)
    visited = set(read(folder, "special_population_visits", mapping).person_id)
    people["visited"] = people.person_id.isin(visited)

    ids = townships.index
    n_workers = per_worker.size().reindex(ids, fill_value=0)
    def at(series):
        return series.reindex(ids, fill_value=0).astype(float)
    fractions = {
        "events_per_10k_residents": (at(new_events), pd.to_numeric(townships.population) / 10000.0),
        "events_per_township_centre": (at(centre_events), at(centres)),
        "events_per_worker": (at(per_worker.events.sum()), n_workers),
        "worker_event_quota_rate": (at((workers.events >= params["worker_event_quota_rate"]["min_events"]).groupby(workers.township_id).sum()), n_workers),
        "worker_hazard_quota_rate": (at((workers.hazards >= params["worker_hazard_quota_rate"]["min_hazard_events"]).groupby(workers.township_id).sum()), n_workers),
        "disputes_per_village_centre": (at(disputes), at(village_centres)),
        "transfers_per_township_centre": (at(transfers), at(centres)),
        "timeliness_rate": (at(valid_events) - at(overdue_valid), at(valid_events)),
        "patrol_compliance_rate": (at((workers.patrol_min >= params["patrol_compliance_rate"]["min_patrol_minutes"]).groupby(workers.township_id).sum()), n_workers),
        "special_population_visit_rate": (at(people.visited.groupby(people.township_id).sum()), at(people.groupby("township_id").size())),
    }
    rows = []
    for indicator, (numerator, denominator) in fractions.items():
        denominator = denominator.astype(float)
        rows.append(pd.DataFrame({"township_id": ids, "indicator_id": indicator, "numerator": numerator.to_numpy(),
                                  "denominator": denominator.to_numpy(),
                                  "value": (numerator / denominator.where(denominator != 0)).to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def main(argv: list[str]) -> int:
    result = township_indicators(Path(argv[0]), argv[1])
    print(f"{result.township_id.nunique()} townships, {len(result)} indicator rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
