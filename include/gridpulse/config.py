"""Where things are: the project's YAML configuration and the folders of one deployment.

Everything a district changes is YAML under include/; this module only finds and reads it.
Paths in gridpulse.yml are relative to the project folder and can be moved by environment
variables, so tests and the DAG can point the same code at other folders.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gridpulse.locations import (  # noqa: F401  (the places every module finds through config)
    CONFIG_DIR,
    DBT_PROJECT_DIR,
    EXPECTATIONS_DIR,
    INCLUDE_DIR,
    PROJECT_DIR,
    SCHEMES_DIR,
    read_yaml,
    schemes_dir,
)
from gridpulse.profile import checked


def settings_file() -> Path:
    """The deployment's settings file: include/config/gridpulse.yml, or the file GRIDPULSE_CONFIG
    names, so that one checkout can run another district with its own letterhead and schemes."""
    chosen = os.environ.get("GRIDPULSE_CONFIG")
    return _project_path(chosen) if chosen else CONFIG_DIR / "gridpulse.yml"


def settings() -> dict:
    """The settings of the district being run: inside a deployment of several districts the
    district's own (GRIDPULSE_DEPLOYMENT and GRIDPULSE_DISTRICT, see Deployment below), else the
    file settings_file() names; read again when either changes."""
    district = os.environ.get("GRIDPULSE_DISTRICT")
    if district:
        return deployment().district(district).settings
    return _settings_of(settings_file())


def profile():
    """The district being run, as its typed profile (profile.Profile): its words, letterhead,
    sender and texts."""
    return checked(settings(), settings_where())


def settings_where() -> str:
    """Where the current district's settings come from, as messages name it."""
    district = os.environ.get("GRIDPULSE_DISTRICT")
    return f"{deployment().file} (district {district})" if district else str(settings_file())


@cache
def _settings_of(path: Path) -> dict:
    """A settings file, checked as a district's profile (profile.py): an unknown key, a missing
    one or a wrong value stops here with the file and the key named."""
    data = read_yaml(path)
    checked(data, path)
    return data


def merged(base: dict, over: dict) -> dict:
    """`over` laid on `base`: mappings merge key by key, anything else is replaced (a district's
    entry over the settings file it names)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@cache
def contract() -> dict:
    """The export contract (include/config/export_contract.yml)."""
    return read_yaml(CONFIG_DIR / "export_contract.yml")


def settings_of(path: str | Path) -> dict:
    """The settings file of another deployment (a path relative to the project folder)."""
    return _settings_of(_project_path(str(path)))


def platform_mapping(platform: str | None = None) -> dict:
    """The header mapping of a platform (include/config/platforms/<platform>.yml): the one named,
    or GRIDPULSE_PLATFORM, or the one the current deployment's settings name. The name is chosen
    on each call, so one process can run deployments on different platforms one after another."""
    return _mapping_of(platform or os.environ.get("GRIDPULSE_PLATFORM") or settings()["platform"])


@cache
def _mapping_of(name: str) -> dict:
    return read_yaml(CONFIG_DIR / "platforms" / f"{name}.yml")


def manifest_name(mapping: dict | None = None) -> str:
    """The file that lists an export's files; platforms write it last."""
    return (mapping or platform_mapping()).get("manifest", "manifest.json")


def project_path(value: str | Path) -> Path:
    """A configured path: relative ones are relative to the project folder."""
    return _project_path(str(value))


def _project_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass(frozen=True)
class Paths:
    """The folders of one deployment."""

    source: Path      # where the platform drops <period>/ folders (the local source)
    archive: Path     # exports as received, never modified
    quarantine: Path  # exports that failed validation, with their report
    warehouse: Path   # the published DuckDB file: what analysts open
    restricted: Path  # files that carry personal data by design (follow-up lists), never shared
    output: Path      # output/<period>/ holds what a run publishes
    delivery_log: Path  # SQLite log of every delivery, kept apart from the warehouse

    @property
    def building(self) -> Path:
        """The copy of the warehouse a run loads and builds; it replaces the published file
        only once the whole month has been built and tested."""
        return self.warehouse.with_name(f".{self.warehouse.stem}.building{self.warehouse.suffix}")


def paths() -> Paths:
    """Current paths; read each call so environment overrides set by tests take effect."""
    if os.environ.get("GRIDPULSE_DISTRICT"):
        return deployment().paths_of(os.environ["GRIDPULSE_DISTRICT"])
    conf = settings()
    data_dir = os.environ.get("GRIDPULSE_DATA_DIR")

    def data_path(key: str) -> Path:
        configured = conf["paths"][key]
        if data_dir:
            # keep the configured layout below the data folder: data/archive -> $DATA/archive
            inside = Path(configured)
            return Path(data_dir) / (inside.relative_to("data") if inside.parts[:1] == ("data",) else inside.name)
        return _project_path(configured)

    return Paths(
        source=Path(os.environ.get("GRIDPULSE_SOURCE_DIR") or _project_path(conf["source"]["path"])),
        archive=data_path("archive"),
        quarantine=data_path("quarantine"),
        warehouse=Path(os.environ.get("GRIDPULSE_WAREHOUSE") or data_path("warehouse")),
        restricted=data_path("restricted"),
        output=Path(os.environ.get("GRIDPULSE_OUTPUT_DIR") or _project_path(conf["paths"]["output"])),
        delivery_log=data_path("delivery_log"),
    )


@cache
def followup() -> dict:
    """Who is listed on the townships' follow-up lists (include/config/followup.yml)."""
    return read_yaml(CONFIG_DIR / "followup.yml")


def scheme_ids() -> list[str]:
    return list(settings()["schemes"])


# --- many districts -------------------------------------------------------------------------
# A city or province deployment (include/config/deployments/<name>.yml) lists its districts; each
# runs its month on its own, in its own folders, with the settings file it names overlaid by what
# its entry says (its code and name, and any of platform, schemes, district letterhead, delivery,
# holidays). GRIDPULSE_DEPLOYMENT names the file, GRIDPULSE_DISTRICT the district being run: every
# step then reads that district's settings and folders (settings(), paths()) without knowing more.

DISTRICT_OWN_KEYS = {"district", "delivery"}  # never lent by one district's settings file to another
ENTRY_KEYS = {"code", "name", "settings", "demo", "city"}  # an entry's own keys; the rest overlays its settings


@dataclass(frozen=True)
class District:
    code: str
    name: str
    settings: dict
    demo: str | None = None          # its demo spec in include/config/demo/ (make demo-city)
    city: dict | None = None         # in a province deployment: {code, name} of its city


@dataclass(frozen=True)
class Deployment:
    """A city or a province: its districts and where their folders and the rollup live."""

    file: Path
    code: str
    name: str
    level: str                       # city | province
    parent: dict | None              # the level above, e.g. {code: "36", name: 江西省, level: province}
    letterhead: dict                 # issuer, printed_by, addressees of the rollup bulletin
    data_dir: Path                   # <data_dir>/<district code>/ holds a district's data folders
    output_dir: Path                 # <output_dir>/<district code>/<period>/ a district's outputs
    delivery: Path | None            # the rollup's recipients (delivery.yml's format)
    districts: tuple[District, ...]

    def district(self, code: str) -> District:
        for district in self.districts:
            if district.code == code:
                return district
        raise KeyError(f"{self.file} lists no district {code} (它列出的区县: {', '.join(d.code for d in self.districts)})")

    def paths_of(self, code: str) -> Paths:
        """A district's own folders: nothing of one district is written where another's lives."""
        self.district(code)
        data, source = self.data_dir / code, os.environ.get("GRIDPULSE_SOURCE_DIR")
        return Paths(source=Path(source) / code if source else data / "landing", archive=data / "archive",
                     quarantine=data / "quarantine", warehouse=data / "warehouse" / "gridpulse.duckdb",
                     restricted=data / "restricted", output=self.output_dir / code,
                     delivery_log=data / "delivery" / "log.sqlite")

    @property
    def rollup_warehouse(self) -> Path:
        """Every district's marts side by side, with district_id: the warehouse for cross-district SQL."""
        return self.data_dir / "rollup" / "warehouse.duckdb"

    @property
    def rollup_output(self) -> Path:
        return self.output_dir / "rollup"


def deployment_file() -> Path | None:
    chosen = os.environ.get("GRIDPULSE_DEPLOYMENT")
    return _project_path(chosen) if chosen else None


def deployment(path: str | Path | None = None) -> Deployment:
    """The deployment file named, or GRIDPULSE_DEPLOYMENT's; data and output folders follow
    GRIDPULSE_DATA_DIR and GRIDPULSE_OUTPUT_DIR as a single district's do."""
    chosen = project_path(path) if path else deployment_file()
    if chosen is None:
        raise RuntimeError("no deployment of several districts is chosen: set GRIDPULSE_DEPLOYMENT "
                           "to a file in include/config/deployments/")
    return _deployment_of(chosen, os.environ.get("GRIDPULSE_DATA_DIR"), os.environ.get("GRIDPULSE_OUTPUT_DIR"))


@cache
def _deployment_of(path: Path, data_dir: str | None, output_dir: str | None) -> Deployment:
    data = read_yaml(path)
    head = data["deployment"]
    districts = tuple(_district(entry, path) for entry in data["districts"])
    codes = [d.code for d in districts]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: a district is listed twice ({codes})")
    return Deployment(
        file=path, code=str(head["code"]), name=head["name"], level=head.get("level", "city"),
        parent=head.get("parent"), letterhead=head.get("letterhead") or {},
        data_dir=Path(data_dir) if data_dir else project_path(head.get("data_dir", f"data/{head['code']}")),
        output_dir=Path(output_dir) if output_dir else project_path(head.get("output_dir", f"output/{head['code']}")),
        delivery=project_path(head["delivery"]) if head.get("delivery") else None, districts=districts)


def _district(entry: dict, path: Path) -> District:
    code, name = str(entry["code"]), entry["name"]
    overlay = {key: value for key, value in entry.items() if key not in ENTRY_KEYS}
    base = _settings_of(project_path(entry.get("settings", "include/config/gridpulse.yml")))
    if str(base["district"]["code"]) != code:
        # another district's file lends its platform, schemes and settings, never what is its own:
        # letterhead, level, sender, texts (`district:`) and recipients (`delivery`)
        base = {key: value for key, value in base.items() if key not in DISTRICT_OWN_KEYS}
    settings = merged(merged(base, overlay), {"district": {"code": code, "name": name}})
    checked(settings, f"{path} (district {code})")
    return District(code=code, name=name, settings=settings, demo=entry.get("demo"), city=entry.get("city"))


def district_env(code: str, deployment_path: str | Path | None = None) -> dict[str, str]:
    """The environment that makes every step run the district (for a subprocess, or os.environ)."""
    chosen = deployment_path or deployment_file()
    return {"GRIDPULSE_DEPLOYMENT": str(project_path(chosen)), "GRIDPULSE_DISTRICT": code}


@contextmanager
def in_district(code: str, deployment_path: str | Path | None = None):
    """Run the block as the district: settings() and paths() are its own until the block ends."""
    chosen = district_env(code, deployment_path)
    before = {name: os.environ.get(name) for name in chosen}
    os.environ.update(chosen)
    try:
        yield deployment().district(code)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
