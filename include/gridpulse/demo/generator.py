"""Generate one month of platform export for the demo district (or a larger region by scale)."""
from __future__ import annotations

import hashlib
import json
import shutil
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from gridpulse import calendar, config
from gridpulse.contract import tables
from gridpulse.demo import grid_district, months
from gridpulse.demo.activity import build_admin_logins, build_app_activity, build_disputes, build_patrols, build_visits
from gridpulse.demo.district import build_district, scaled_townships
from gridpulse.demo.events import build_events, build_transfers
from gridpulse.demo.padding import plant
from gridpulse.demo.writer import write_manifest, write_table
from gridpulse.period import Period
from gridpulse.private_files import make_private, private_folder

DEFAULT_SEED = 20221130

# How each platform writes its CSV files, by file name (XLSX files are XLSX; the rest UTF-8): the
# events and disputes in GBK, the encoding of Chinese Excel, the patrols with a BOM.
CSV_ENCODINGS = {
    "jiangxi_shzl": {"事件.csv": "gbk", "矛盾纠纷.csv": "gbk", "巡查记录.csv": "utf-8-sig"},
    "zhejiang_sipingtai": {"事件办理明细.csv": "gbk", "矛盾纠纷排查.csv": "gbk", "平安通巡查轨迹.csv": "utf-8-sig"},
}


def totals_scale(spec: dict, scale: float) -> float:
    """What the district's monthly totals (events, volunteers, special population, unresolved
    disputes) are multiplied by. At `scale` the spec's townships repeat (or the first of them are
    kept); a calibrated spec's totals follow `scale` itself, as they always have. A spec drawn at
    per-resident rates (`seed_by_code`) keeps its rates at any scale: its totals follow the
    workers of the townships kept, so that a small scale keeps its large county seat's share."""
    if not spec.get("seed_by_code"):
        return scale
    return scaled_townships(spec, scale).workers.sum() / sum(t["workers"] for t in spec["townships"])


def _canonical_tables(spec: dict, period: Period, seed: int, scale: float, as_calibrated: bool = False) -> dict[str, pd.DataFrame]:
    varied = not (as_calibrated or months.is_calibrated(spec, period))
    if varied:  # drawn apart from the district's own draws, which stay the calibrated month's
        month_rng = months.month_rng(seed, period)
        spec = months.varied_spec(spec, period, month_rng)
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    days = pd.DatetimeIndex(period.days())
    workdays = _workdays(period)
    previous = pd.DatetimeIndex(period.previous().days()[-10:])
    totals = totals_scale(spec, scale)
    district = build_district(spec, scale, rng, fake, pd.Timestamp(period.first_day), totals)
    events = build_events(spec, district, rng, days, previous, totals)
    frames = {
        "org_units": district.org_units,
        "grid_workers": district.workers,
        "events": events,
        "event_transfers": build_transfers(district, events, rng, pd.Timestamp(period.end)),
        "patrols": build_patrols(district, rng, days, workdays),
        "app_activity": build_app_activity(district, rng, days, workdays),
        "special_population": district.special_population,
        "special_population_visits": build_visits(district, rng, days),
        "disputes": build_disputes(spec, district, rng, days, totals),
        "admin_logins": build_admin_logins(district, rng, workdays),
        "score_adjustments": pd.DataFrame(columns=list(tables()["score_adjustments"].columns)),
    }
    if varied:
        months.replace_a_worker(frames, month_rng, period)
    return frames


def _grid_tables(spec: dict, period: Period, seed: int, as_calibrated: bool = False) -> dict[str, pd.DataFrame]:
    varied = not (as_calibrated or months.is_calibrated(spec, period))
    if varied:
        month_rng = months.month_rng(seed, period)
        spec = months.varied_grids(spec, month_rng)
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    frames = grid_district.canonical_tables(spec, rng, fake, pd.DatetimeIndex(period.days()), _workdays(period))
    if varied:
        months.replace_a_worker(frames, month_rng, period)
    return frames


def _workdays(period: Period) -> pd.DatetimeIndex:
    """The month's workdays under the holidays of the district being generated."""
    return _workdays_under(period, calendar.holiday_file())


@lru_cache(maxsize=16)
def _workdays_under(period: Period, holidays: Path) -> pd.DatetimeIndex:
    # once per month and holiday file: a province generates a hundred districts in one process
    return pd.DatetimeIndex(calendar.workdays(period))


def demo_spec(name: str) -> dict:
    """A demo district's spec: include/config/demo/<name>.yml."""
    return config.read_yaml(config.CONFIG_DIR / "demo" / f"{name}.yml")


def _named_deployment(spec: dict) -> tuple[Path, str] | None:
    """(file, district code) when the spec's `deployment` is a deployment of several districts
    (include/config/deployments/) that lists the spec's district; None for a settings file."""
    if not spec.get("deployment"):
        return None
    path = config.project_path(spec["deployment"])
    return (path, str(spec["district"]["code"])) if "districts" in config.read_yaml(path) else None


def demo_platform(spec: dict) -> str | None:
    """The platform of the deployment a demo district's spec names: a settings file's `platform`,
    or, in a deployment of several districts, the platform of the spec's district there (its
    entry's `platform`, else its settings file's). None: the district being run decides."""
    if not spec.get("deployment"):
        return None
    named = _named_deployment(spec)
    if named:
        return config.deployment(named[0]).district(named[1]).settings["platform"]
    return config.settings_of(spec["deployment"])["platform"]


def district_seed(seed: int, spec: dict) -> int:
    """The seed a district's draws start from. A spec calibrated to a printed bulletin (yushui,
    baiguan) is drawn from `seed` itself; one with `seed_by_code` from `seed` mixed with its
    district code, so that the districts of one deployment never share drawn rows, names or ID
    numbers."""
    if not spec.get("seed_by_code"):
        return seed
    return int(np.random.SeedSequence([seed, int(spec["district"]["code"])]).generate_state(1)[0])


def generate(period: str | Period, out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, platform: str | None = None,
             district: str = "yushui", spec: dict | None = None, as_calibrated: bool = False,
             padding: dict[str, int] | None = None) -> Path:
    """Write <out_dir>/<period>/ with every file of the export and, last, the manifest.
    `district` names a demo district in include/config/demo/ (or `spec` is one, e.g. a generated
    district). Its files are written the way its platform exports them, unless `platform` names
    another: the platform of the deployment the spec names (`deployment`, a settings file or a
    deployment of several districts; in the second the month is generated as that district, with
    its holidays), or, when the spec names none, the platform of the district being run
    (config.in_district) or of the current settings. A calibrated district's months other than
    its calibrated one vary (demo/months.py), unless `as_calibrated` draws them as that month."""
    period = period if isinstance(period, Period) else Period.parse(period)
    spec = spec if spec is not None else demo_spec(district)
    named = _named_deployment(spec)
    with config.in_district(named[1], named[0]) if named else nullcontext():
        mapping = config.platform_mapping(platform or demo_platform(spec))
        drawn_from = district_seed(seed, spec)
        if spec.get("kind") == "grids":
            frames = _grid_tables(spec, period, drawn_from, as_calibrated)
        else:
            frames = _canonical_tables(spec, period, drawn_from, scale, as_calibrated)
        cases = plant(frames, pd.Timestamp(period.end), drawn_from, padding) if padding else None
    folder = Path(out_dir) / str(period)
    shutil.rmtree(folder, ignore_errors=True)
    # the export holds workers' and residents' personal data: 0700 before any file is written
    private_folder(Path(out_dir))
    private_folder(folder)
    booleans = {"true": str(mapping["booleans"][True][0]), "false": str(mapping["booleans"][False][0])}
    encodings = CSV_ENCODINGS.get(mapping["platform"], {})
    files = [write_table(frames[name], table, folder, mapping["files"][name], booleans, encodings) for name, table in tables().items()]
    tag = hashlib.sha1(f"{drawn_from}-{scale}".encode()).hexdigest()[:8]
    manifest = {"platform": mapping["platform"], "period": str(period), "export_id": f"{mapping['platform']}-{period}-{tag}",
                "exported_at": f"{period.next_first_day.isoformat()}T02:00:00+08:00", "files": files}
    # the manifest comes last: its presence tells the pipeline that the export is complete
    write_manifest(folder, manifest, config.manifest_name(mapping))
    if cases is not None:  # the answer key, beside the export and not in it
        key = [{"signal_id": c.signal_id, "unit_id": c.unit_id, "record_ids": c.record_ids} for c in cases]
        (Path(out_dir) / f"{period}.planted.json").write_text(json.dumps(key, ensure_ascii=False, indent=1), encoding="utf-8")
    make_private(folder)  # and every file 0600, as the archive keeps them
    return folder
