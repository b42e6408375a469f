"""Where the project's files are: the folders below the project and the YAML reader. The lowest
floor of the package (config and profile read through it), so that both can import it."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

PROJECT_DIR = Path(os.environ.get("GRIDPULSE_PROJECT_DIR", Path(__file__).resolve().parents[2]))
INCLUDE_DIR = PROJECT_DIR / "include"
CONFIG_DIR = INCLUDE_DIR / "config"


def schemes_dir() -> Path:
    """The schemes folder as the environment names it now (a check run after import may point elsewhere).
    A district edits its schemes in include/schemes; GRIDPULSE_SCHEMES_DIR points a run at another folder."""
    return Path(os.environ.get("GRIDPULSE_SCHEMES_DIR") or INCLUDE_DIR / "schemes")


SCHEMES_DIR = schemes_dir()  # as at import: the tests' copy of the shipped schemes; the code calls schemes_dir()


DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"


# libyaml's safe loader where PyYAML was built with it: the same documents, several times faster
# (a district's outputs read its scheme, calendar and platform files a dozen times)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader, libyaml's)
