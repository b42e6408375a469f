"""Where the project's files are: the folders below the project and the YAML reader. The lowest
floor of the package (config and profile read through it), so that both can import it."""
from __future__ import annotations

import os
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
