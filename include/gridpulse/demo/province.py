"""A generated province for the benchmark: python -m gridpulse.demo --province 100 --period 2022-11
--out data/bench/province100.

`generate_province` draws, from the seed, about ten cities and `districts` districts (10-20
townships each, about a fifth on 浙江基层治理四平台, the rest on Jiangxi's platform), writes the
deployment file of them (OUT/deployment.yml, level province, data and outputs below OUT), then each
district's month into its source folder, drawn at 渝水区's per-resident rates (demo/derived.py).

A township has 28,000 residents on average (Jiangxi has some 45 M in about 1,500), so at scale 1 a
district has about 900 grid workers and 77,000 rows: the 100 districts of seed 20221130 have 1,536
townships, 89,235 workers and 7.69 M rows, about as many as the single-district province of `make
bench` (scale 65: 1,105 townships, repeating 渝水区's larger ones). `scale` multiplies every
township's population (and so its workers, villages and rows); the number of townships stays
10-20. Same seed, same bytes, whatever the number of processes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from gridpulse import config
from gridpulse.demo.deployment import Generated, generate_all
from gridpulse.demo.derived import BASE, derived_spec
from gridpulse.demo.generator import DEFAULT_SEED, demo_spec

PROVINCE = {"code": "36", "name": "江西省"}
SETTINGS = "include/config/gridpulse.yml"
PLATFORM = "jiangxi_shzl"                 # the province's own platform (include/config/platforms/)
OTHER_PLATFORM = "zhejiang_sipingtai"    # about a fifth of the districts export in its layout
OTHER_PLATFORM_SHARE = 0.2
TOWNSHIP_POPULATION = 28_000             # the mean; drawn log-normally around it
TOWNSHIPS = (10, 20)                      # per district, both included

# Place names are two characters drawn from these, with the level's suffix (市, 区/县/市, 街道/镇/乡).
FIRST = "青白金石云龙凤清桃梅松竹枫柳杨黄红东西南北新长安永宁兴平高大上下双碧秀丰和富华明福瑞泰康"
SECOND = "山溪江河湖源田岭坑塘桥林冈坪洲港峰渡口门坊圩埠阳川泉湾滩"


@dataclass(frozen=True)
class Province:
    deployment_file: Path
    districts: list[Generated]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.districts)


def _names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    """`count` place names not yet taken (and taken from now on)."""
    names = []
    while len(names) < count:
        name = FIRST[rng.integers(len(FIRST))] + SECOND[rng.integers(len(SECOND))]
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _cities(rng: np.random.Generator, districts: int) -> list[tuple[dict, list[tuple[str, str]]]]:
    """About ten cities, each with its districts as (code, name): a few urban districts (区, codes
    02..), perhaps a county-level city (市, 81), counties (县, 21..)."""
    n_cities = max(1, round(districts / 10))
    sizes = 1 + rng.multinomial(districts - n_cities, np.full(n_cities, 1 / n_cities))
    taken: set[str] = set()
    city_names = _names(rng, n_cities, taken)
    cities = []
    for c, (size, city_name) in enumerate(zip(sizes, city_names), start=1):
        city = {"code": f"36{c:02d}", "name": f"{city_name}市"}
        urban = min(size, int(rng.integers(1, 4)))
        county_city = size > urban and rng.random() < 0.5
        counties = size - urban - county_city
        codes = [f"{city['code']}{2 + k:02d}" for k in range(urban)] + [f"{city['code']}{21 + k:02d}" for k in range(counties)]
        suffixes = ["区"] * urban + ["县"] * counties
        if county_city:
            codes.append(f"{city['code']}81")
            suffixes.append("市")
        cities.append((city, [(code, name + suffix) for code, name, suffix in zip(codes, _names(rng, size, taken), suffixes)]))
    return cities


def _townships(rng: np.random.Generator, district_name: str, scale: float) -> tuple[list[str], list[int]]:
    count = int(rng.integers(TOWNSHIPS[0], TOWNSHIPS[1] + 1))
    urban = district_name.endswith("区")
    kinds = rng.choice(["街道", "镇", "乡"], size=count, p=[0.5, 0.4, 0.1] if urban else [0.1, 0.55, 0.35])
    names = [stem + kind for stem, kind in zip(_names(rng, count, set()), kinds)]
    # log-normal, mean TOWNSHIP_POPULATION: exp(mu + sigma^2 / 2) = mean
    sigma = 0.45
    populations = rng.lognormal(np.log(TOWNSHIP_POPULATION) - sigma**2 / 2, sigma, count) * scale
    return names, [max(1000, int(round(p, -2))) for p in populations]


def _entry(code: str, name: str, city: dict, platform: str | None) -> dict:
    level = name[-1]
    entry = {"code": code, "name": name, "city": dict(city), "settings": SETTINGS, "platform": platform}
    entry["district"] = {"level": "县级市" if level == "市" else level,
                         "issuer": f"{name}平安建设领导小组办公室", "printed_by": f"{name}平安建设领导小组办公室",
                         "addressees": f"各乡镇（街道）综治中心，{level}平安建设领导小组各成员单位"}
    if platform == OTHER_PLATFORM:
        entry["district"]["data_source"] = "基层治理四平台"
    return entry


def _stored(path: Path) -> str:
    """A folder as the deployment file names it: relative to the project when inside it."""
    path = path.resolve()
    return str(path.relative_to(config.PROJECT_DIR)) if path.is_relative_to(config.PROJECT_DIR) else str(path)


def province_plan(districts: int, out: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> tuple[dict, dict[str, dict]]:
    """The deployment file's content and each district's demo spec (code -> spec), from the seed."""
    rng = np.random.default_rng([seed, districts])
    base = demo_spec(BASE)
    cities = _cities(rng, districts)
    codes = [code for _, members in cities for code, _ in members]
    other = set(rng.choice(codes, size=round(len(codes) * OTHER_PLATFORM_SHARE), replace=False).tolist())
    entries, specs = [], {}
    for city, members in cities:
        for code, name in members:
            entries.append(_entry(code, name, city, OTHER_PLATFORM if code in other else PLATFORM))
            names, populations = _townships(rng, name, scale)
            specs[code] = derived_spec(base, code, name, names, populations, np.random.default_rng([seed, int(code), 1]))
    letterhead = {"issuer": f"{PROVINCE['name']}平安建设领导小组办公室", "printed_by": f"{PROVINCE['name']}平安建设领导小组办公室",
                  "addressees": "各设区市综治中心，省平安建设领导小组各成员单位"}
    data = {"deployment": {"code": PROVINCE["code"], "name": PROVINCE["name"], "level": "province", "letterhead": letterhead,
                           "data_dir": _stored(out / "data"), "output_dir": _stored(out / "output")},
            "districts": entries}
    return data, specs


HEADER = """\
# A generated province of {districts} districts for the benchmark: python -m gridpulse.demo
# --province {districts} --seed {seed} --scale {scale} (demo/province.py). Its cities, districts and
# townships are drawn from the seed, not real. Each district's month is drawn at 渝水区's
# per-resident rates and written into <data_dir>/<code>/landing/<period>/ in the layout of the
# platform its entry names. data_dir and output_dir are below the folder of this file;
# GRIDPULSE_DATA_DIR and GRIDPULSE_OUTPUT_DIR move them, as for any deployment.
"""


def generate_province(districts: int, period: str, out: str | Path, seed: int = DEFAULT_SEED, scale: float = 1.0,
                      processes: int | None = None) -> Province:
    """OUT/deployment.yml of `districts` generated districts, and each district's month."""
    started = time.perf_counter()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    data, specs = province_plan(districts, out, seed, scale)
    path = out / "deployment.yml"
    text = HEADER.format(districts=districts, seed=seed, scale=scale)
    path.write_text(text + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    config._deployment_of.cache_clear()  # the file may have been read before in this process, with other districts
    generated = generate_all(path, specs, period, seed, 1.0, processes)
    return Province(path, generated, time.perf_counter() - started)
