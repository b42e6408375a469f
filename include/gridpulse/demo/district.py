"""The district's structure: org units, grid workers and special-population members."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

# townships whose units are communities (社区), not villages (村): subdistricts (街道) and their offices (办)
URBAN_SUFFIXES = ("街道", "办")


@dataclass
class District:
    townships: pd.DataFrame   # org_id, org_name, population, workers, villages + behaviour columns
    org_units: pd.DataFrame   # the export table (canonical columns)
    workers: pd.DataFrame     # worker_id, grid_id, village_id, township_id + personal columns
    agencies: list[str]       # agency org ids
    special_population: pd.DataFrame


def scaled_townships(spec: dict, scale: float) -> pd.DataFrame:
    """The 17 townships at scale 1; at other scales their profiles repeat under synthetic names."""
    base = pd.DataFrame(spec["townships"])
    count = max(1, round(len(base) * scale))
    rows = base.iloc[[i % len(base) for i in range(count)]].reset_index(drop=True)
    suffix = [next((s for s in URBAN_SUFFIXES if name.endswith(s)), name[-1]) for name in rows.name]
    rows["org_name"] = [name if i < len(base) else f"新{name[:-len(s)]}{i + 1}{s}" for i, (name, s) in enumerate(zip(rows.name, suffix))]
    width = max(3, len(str(count)))
    rows["org_id"] = [f"{spec['district']['code']}{i + 1:0{width}d}" for i in range(count)]
    return rows


def _villages(spec: dict, townships: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    stems = spec["village_stems"]
    rows = []
    for n, t in enumerate(townships.itertuples()):
        kind = "社区" if t.org_name.endswith(URBAN_SUFFIXES) else "村"
        shares = rng.dirichlet(np.full(t.villages, 4.0))
        pops = np.floor(shares * t.population).astype(int)
        pops[0] += t.population - pops.sum()
        for v in range(t.villages):
            # consecutive stems from a per-township offset: names repeat across townships, as in
            # real districts, but never within one (a township has fewer villages than stems)
            stem = stems[(3 * n + v) % len(stems)]
            rows.append({"org_id": f"{t.org_id}{v + 1:03d}", "org_name": f"{stem}{kind}",
                         "township_id": t.org_id, "population": int(pops[v])})
    return pd.DataFrame(rows)


def worker_ids(district_code: str, n: int) -> list[str]:
    """The platform's worker accounts of a district: unique across the districts of a deployment,
    as a platform's are (a worker id two districts list is refused at validation)."""
    return [f"W{district_code}{i + 1:06d}" for i in range(n)]


def _grids_and_workers(townships: pd.DataFrame, villages: pd.DataFrame, rng: np.random.Generator, district_code: str) -> pd.DataFrame:
    """One grid per worker; every village has at least one grid."""
    rows = []
    for t in townships.itertuples():
        village_ids = villages.loc[villages.township_id == t.org_id, "org_id"].to_numpy()
        extra = rng.multinomial(t.workers - len(village_ids), np.full(len(village_ids), 1 / len(village_ids)))
        for village_id, n in zip(village_ids, extra + 1):
            for g in range(n):
                rows.append({"grid_id": f"{village_id}{g + 1:03d}", "grid_name": f"第{g + 1}网格", "village_id": village_id, "township_id": t.org_id})
    frame = pd.DataFrame(rows)
    frame.insert(0, "worker_id", worker_ids(district_code, len(frame)))
    return frame


def _people(fake: Faker, n: int) -> tuple[list[str], list[str], list[str]]:
    names = [fake.name() for _ in range(n)]
    phones = [fake.phone_number() for _ in range(n)]
    ids = [fake.ssn() for _ in range(n)]
    return names, phones, ids


def _populations_by_grids(townships: pd.DataFrame, villages: pd.DataFrame, workers: pd.DataFrame) -> pd.Series:
    """A township's census population split over its villages in proportion to their grids (a
    grid covers a few hundred households), varied by +-20 % by the drawn shares, so that a
    village's events per 10,000 residents stay in the range of its township's."""
    grids = workers.groupby("village_id").size().reindex(villages.org_id).to_numpy()
    drawn = villages.population.to_numpy() / villages.groupby("township_id").population.transform("max").to_numpy()
    weight = pd.Series(grids * (0.8 + 0.4 * drawn), index=villages.index)
    result = pd.Series(0, index=villages.index)
    for t in townships.itertuples():
        rows = villages.township_id == t.org_id
        pops = np.floor(weight[rows] / weight[rows].sum() * t.population).astype(int)
        pops.iloc[0] += t.population - pops.sum()
        result[rows] = pops
    return result


def build_district(spec: dict, scale: float, rng: np.random.Generator, fake: Faker, month_start: pd.Timestamp,
                   totals: float | None = None) -> District:
    """The townships at `scale`; the special population at `totals` (scale unless given)."""
    townships = scaled_townships(spec, scale)
    villages = _villages(spec, townships, rng)
    workers = _grids_and_workers(townships, villages, rng, str(spec["district"]["code"]))
    villages["population"] = _populations_by_grids(townships, villages, workers)
    code = spec["district"]["code"]
    agencies = [f"{code}A{i + 1:02d}" for i in range(len(spec["agencies"]))]
    org_units = pd.concat([
        pd.DataFrame([{"org_id": code, "org_name": spec["district"]["name"], "org_level": "district", "parent_org_id": None,
                       "population": int(townships.population.sum()), "has_centre": True}]),
        pd.DataFrame({"org_id": townships.org_id, "org_name": townships.org_name, "org_level": "township", "parent_org_id": code,
                      "population": townships.population, "has_centre": True}),
        pd.DataFrame({"org_id": villages.org_id, "org_name": villages.org_name, "org_level": "village",
                      "parent_org_id": villages.township_id, "population": villages.population, "has_centre": True}),
        pd.DataFrame({"org_id": workers.grid_id, "org_name": workers.grid_name, "org_level": "grid",
                      "parent_org_id": workers.village_id, "population": None, "has_centre": False}),
        pd.DataFrame({"org_id": agencies, "org_name": spec["agencies"], "org_level": "agency", "parent_org_id": code,
                      "population": None, "has_centre": False}),
    ], ignore_index=True)
    workers["worker_name"], workers["phone"], workers["id_number"] = _people(fake, len(workers))
    days_before = rng.integers(30, 1500, len(workers))
    workers["active_from"] = (month_start - pd.to_timedelta(days_before, unit="D")).normalize()
    workers["active_to"] = pd.NaT
    n_special = round(spec["special_population"] * (scale if totals is None else totals))
    assigned = rng.integers(0, len(workers), n_special)
    names, phones, ids = _people(fake, n_special)
    special = pd.DataFrame({
        "person_id": [f"TS{i + 1:07d}" for i in range(n_special)],
        "person_type": np.where(rng.random(n_special) < 0.6, "drug_user", "severe_mental_disorder"),
        "worker_id": workers.worker_id.to_numpy()[assigned],
        "person_name": names, "id_number": ids, "guardian_phone": phones,
    })
    return District(townships, org_units, workers, agencies, special)
