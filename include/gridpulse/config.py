"""Where things are: the project's YAML configuration and the folders of one deployment.

Everything a district changes is YAML under include/; this module only finds and reads it.
Paths in gridpulse.yml are relative to the project folder and can be moved by environment
variables, so tests and the DAG can point the same code at other folders.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(os.environ.get("GRIDPULSE_PROJECT_DIR", Path(__file__).resolve().parents[2]))
INCLUDE_DIR = PROJECT_DIR / "include"
CONFIG_DIR = INCLUDE_DIR / "config"
# a district edits its schemes here; GRIDPULSE_SCHEMES_DIR points a run at another folder of them
SCHEMES_DIR = Path(os.environ.get("GRIDPULSE_SCHEMES_DIR") or INCLUDE_DIR / "schemes")
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def settings_file() -> Path:
    """The deployment's settings file: include/config/gridpulse.yml, or the file GRIDPULSE_CONFIG
    names, so that one checkout can run another district with its own letterhead and schemes."""
    chosen = os.environ.get("GRIDPULSE_CONFIG")
    return _project_path(chosen) if chosen else CONFIG_DIR / "gridpulse.yml"


def settings() -> dict:
    """The deployment settings (see settings_file); read again when GRIDPULSE_CONFIG changes."""
    return _settings_of(settings_file())


@cache
def _settings_of(path: Path) -> dict:
    return read_yaml(path)


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
