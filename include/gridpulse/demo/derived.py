"""Demo districts drawn at a base district's per-resident rates (include/config/demo/yushui.yml).

The base spec is calibrated to a printed bulletin; a derived district is not. Given its townships'
names and populations, it gets the base's grid workers and village centres per resident, the base's
shares of workers short of each quota, its events per worker, its invalid and carried-over shares,
its volunteer, agency, special-population and dispute rates, and township behaviour (timeliness,
admin logins) drawn from the range the base shows. fenyi.yml and xiannvhu.yml were drawn this way
(then named and commented); the generated province draws its districts this way on each run.
"""
from __future__ import annotations

import numpy as np

from gridpulse.demo.district import URBAN_SUFFIXES

BASE = "yushui"
QUOTAS = ("short_of_event_quota", "short_of_hazard_quota", "short_of_patrol_quota")


def rates(base: dict) -> dict:
    """What the base district does per resident, per worker and per event."""
    towns = base["townships"]
    residents = base["district"]["population"]
    workers = sum(t["workers"] for t in towns)
    villages = sum(t["villages"] for t in towns)
    centre = sum(t["centre_events"] for t in towns)
    disputes = sum(t["disputes"] for t in towns)
    # every new event that is not a grid worker's: township and village centres, volunteers, agencies
    others = centre + villages + base["volunteer_events"] + base["agency_events"]
    return {
        "residents_per_worker": residents / workers,
        "residents_per_village": residents / villages,
        "worker_events_per_worker": (base["new_events"] - others) / workers,
        "quota_shares": {q: sum(t[q] for t in towns) / workers for q in QUOTAS},
        "centre_events_per_township": centre / len(towns),
        "township_population": residents / len(towns),
        "transfers_per_centre_event": sum(t["transfers"] for t in towns) / centre,
        "disputes_per_resident": disputes / residents,
        "invalid_share": base["invalid_events"] / base["new_events"],
        "carried_over_share": base["carried_over_events"] / base["new_events"],
        "volunteer_per_resident": base["volunteer_events"] / residents,
        "volunteer_closed_share": base["volunteer_events_closed"] / base["volunteer_events"],
        "volunteer_township_share": len(base["volunteer_townships"]) / len(towns),
        "agency_per_resident": base["agency_events"] / residents,
        "special_per_resident": base["special_population"] / residents,
        "city_best_per_resident": sum(base["city_best_events"].values()) / residents,
        "timeliness": (min(t["timeliness"] for t in towns), max(t["timeliness"] for t in towns)),
        "logins": sorted(t["login"] for t in towns),
    }


def _townships(base: dict, rate: dict, names: list[str], populations: list[int], rng: np.random.Generator) -> list[dict]:
    stems = len(base["village_stems"])  # a township has no more villages than names for them
    rows = []
    for name, population in zip(names, populations):
        urban = name.endswith(URBAN_SUFFIXES)  # subdistricts: fewer, larger communities
        villages = int(np.clip(round(population / rate["residents_per_village"] * (0.8 if urban else 1.1) * rng.uniform(0.85, 1.15)), 1, stems))
        workers = max(villages, 2, round(population / rate["residents_per_worker"] * rng.uniform(0.85, 1.2)))
        # each township's share of workers short of a quota varies around the base's (0 to twice it)
        short = {q: int(rng.binomial(workers, min(1.0, share * rng.uniform(0, 2)))) for q, share in rate["quota_shares"].items()}
        size = (population / rate["township_population"]) ** 0.5
        centre = max(3, round(rate["centre_events_per_township"] * size * rng.uniform(0.7, 1.3)))
        low, high = rate["timeliness"]
        rows.append({"name": name, "population": int(population), "workers": int(workers), "villages": villages, **short,
                     "centre_events": centre, "transfers": max(1, round(centre * rate["transfers_per_centre_event"] * rng.uniform(0.6, 1.4))),
                     "disputes": max(1, round(population * rate["disputes_per_resident"] * rng.uniform(0.7, 1.3))),
                     "timeliness": round(float(rng.uniform(low, high)), 4), "login": float(rng.choice(rate["logins"]))})
    return rows


def _agencies(base: dict, name: str) -> list[str]:
    """The base's dispatched agencies (区公安分局…) under the district's own level (县公安局…)."""
    level = name[-1]
    if level == "区":
        return list(base["agencies"])
    return [(level + agency[1:]).replace("公安分局", "公安局") if agency.startswith("区") else agency for agency in base["agencies"]]


def derived_spec(base: dict, code: str, name: str, names: list[str], populations: list[int], rng: np.random.Generator) -> dict:
    """A demo spec in yushui.yml's format for the district `code` `name` with these townships."""
    rate = rates(base)
    towns = _townships(base, rate, names, populations, rng)
    residents = sum(t["population"] for t in towns)
    workers = sum(t["workers"] for t in towns)
    others_per_resident = rate["volunteer_per_resident"] + rate["agency_per_resident"]
    others = sum(t["centre_events"] + t["villages"] for t in towns) + round(residents * others_per_resident)
    new = round(workers * rate["worker_events_per_worker"] * rng.uniform(0.98, 1.02)) + others
    volunteer = max(1, round(residents * rate["volunteer_per_resident"]))
    disputes = sum(t["disputes"] for t in towns)
    levels = {level: n / sum(base["dispute_levels"].values()) for level, n in base["dispute_levels"].items()}
    dispute_levels = {level: round(disputes * share) for level, share in levels.items()}
    dispute_levels["grid"] = disputes - dispute_levels["township"] - dispute_levels["village"]
    base_disputes = sum(t["disputes"] for t in base["townships"])
    unresolved = {level: int(rng.binomial(max(1, round(n * disputes / base_disputes * 3)), 1 / 3)) for level, n in base["disputes_unresolved"].items()}
    best = rng.multinomial(round(residents * rate["city_best_per_resident"]), np.full(min(3, len(towns)), 1 / min(3, len(towns))))
    best_towns = rng.choice(len(towns), size=len(best), replace=False)
    volunteer_towns = rng.choice(len(towns), size=max(1, round(len(towns) * rate["volunteer_township_share"])), replace=False)
    return {
        "district": {"code": str(code), "name": name, "population": residents},
        "townships": towns,
        "agencies": _agencies(base, name),
        "village_stems": base["village_stems"],
        "new_events": int(new),
        "invalid_events": round(new * rate["invalid_share"]),
        "carried_over_events": round(new * rate["carried_over_share"]),
        "volunteer_events": volunteer,
        "volunteer_events_closed": round(volunteer * rate["volunteer_closed_share"]),
        "volunteer_townships": [towns[i]["name"] for i in sorted(volunteer_towns)],
        "agency_events": round(residents * rate["agency_per_resident"]),
        "special_population": max(1, round(residents * rate["special_per_resident"])),
        "dispute_levels": dispute_levels,
        "disputes_unresolved": unresolved,
        "city_best_events": {towns[i]["name"]: int(n) for i, n in zip(best_towns, best) if n},
        "categories": base["categories"],
        "hazard_categories": base["hazard_categories"],
        "invalid_reasons": base["invalid_reasons"],
        "seed_by_code": True,
    }
