"""Generate one month of platform export for the demo district (or a larger region by scale)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from gridpulse import config
from gridpulse.calendar import workdays as official_workdays
from gridpulse.contract import tables
from gridpulse.demo import grid_district
from gridpulse.demo.activity import build_admin_logins, build_app_activity, build_disputes, build_patrols, build_visits
from gridpulse.demo.district import build_district
from gridpulse.demo.events import build_events, build_transfers
from gridpulse.demo.writer import write_manifest, write_table
from gridpulse.period import Period

DEFAULT_SEED = 20221130


def _canonical_tables(spec: dict, period: Period, seed: int, scale: float) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    days = pd.DatetimeIndex(period.days())
    workdays = pd.DatetimeIndex(official_workdays(period))
    previous = pd.DatetimeIndex(period.previous().days()[-10:])
    district = build_district(spec, scale, rng, fake, pd.Timestamp(period.first_day))
    events = build_events(spec, district, rng, days, previous, scale)
    return {
        "org_units": district.org_units,
        "grid_workers": district.workers,
        "events": events,
        "event_transfers": build_transfers(district, events, rng, pd.Timestamp(period.end)),
        "patrols": build_patrols(district, rng, days, workdays),
        "app_activity": build_app_activity(district, rng, days, workdays),
        "special_population": district.special_population,
        "special_population_visits": build_visits(district, rng, days),
        "disputes": build_disputes(spec, district, rng, days, scale),
        "admin_logins": build_admin_logins(district, rng, workdays),
        "score_adjustments": pd.DataFrame(columns=list(tables()["score_adjustments"].columns)),
    }


def _grid_tables(spec: dict, period: Period, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return grid_district.canonical_tables(spec, rng, fake, pd.DatetimeIndex(period.days()), pd.DatetimeIndex(official_workdays(period)))


def demo_platform(spec: dict) -> str | None:
    """The platform a demo district's deployment names (None: the current deployment's)."""
    return config.settings_of(spec["deployment"])["platform"] if spec.get("deployment") else None


def generate(period: str | Period, out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, platform: str | None = None,
             district: str = "yushui") -> Path:
    """Write <out_dir>/<period>/ with every file of the export and, last, the manifest.
    `district` names a demo district in include/config/demo/; its files are written the way the
    platform of its deployment (the spec's `deployment`, a settings file) exports them, unless
    `platform` names another."""
    period = period if isinstance(period, Period) else Period.parse(period)
    spec = config.read_yaml(config.CONFIG_DIR / "demo" / f"{district}.yml")
    mapping = config.platform_mapping(platform or demo_platform(spec))
    frames = _grid_tables(spec, period, seed) if spec.get("kind") == "grids" else _canonical_tables(spec, period, seed, scale)
    folder = Path(out_dir) / str(period)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    booleans = {"true": str(mapping["booleans"][True][0]), "false": str(mapping["booleans"][False][0])}
    files = [write_table(frames[name], table, folder, mapping["files"][name], booleans, spec["csv_encodings"]) for name, table in tables().items()]
    tag = hashlib.sha1(f"{seed}-{scale}".encode()).hexdigest()[:8]
    manifest = {"platform": mapping["platform"], "period": str(period), "export_id": f"{mapping['platform']}-{period}-{tag}",
                "exported_at": f"{period.next_first_day.isoformat()}T02:00:00+08:00", "files": files}
    # the manifest comes last: its presence tells the pipeline that the export is complete
    write_manifest(folder, manifest, config.manifest_name(mapping))
    return folder
