"""`python -m gridpulse district new`: a commented profile for a new district, from its code, name,
level and platform, checked as a run would read it, and added to a deployment when one is named.
The file is a start: the letterhead's words are the district's own to write."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from gridpulse import config
from gridpulse.profile import ProfileError, checked, level_words_table
from gridpulse.schemes import load_scheme

TEMPLATES = config.CONFIG_DIR / "templates"
# the levels whose profile scores townships; the others (街道, 镇, 乡) score their grids
TOWNSHIP_SCORING = {"区", "县", "县级市", "市", "旗"}


def _default_schemes(level: str) -> list[str]:
    """The shipped schemes of the level the district scores: a start the user edits."""
    wanted = "township" if level in TOWNSHIP_SCORING else "grid"
    return sorted(p.stem for p in config.schemes_dir().glob("*.yml") if load_scheme(p.stem).get("org_level") == wanted)


def profile_text(code: str, name: str, level: str, platform: str, schemes: list[str], path: str) -> str:
    if level not in level_words_table():
        raise ProfileError(f"--level {level!r}: write one of {', '.join(level_words_table())}")
    words = level_words_table()[level]
    mapping = config.platform_mapping(platform) if (config.CONFIG_DIR / "platforms" / f"{platform}.yml").is_file() else {}
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("district.yml.j2").render(
        code=code, name=name, level=level, platform=platform, schemes=schemes or _default_schemes(level), path=path,
        words=words, issuer=f"{name}平安建设领导小组办公室", data_source=mapping.get("label_zh") or platform,
        addressees=f"{words['units']}综治中心，{name}平安建设领导小组各成员单位")


def _add_to_deployment(deployment: Path, code: str, name: str, profile_path: str) -> None:
    """Append the district's entry as text, so the deployment file keeps its comments."""
    text = deployment.read_text(encoding="utf-8")
    if any(d.code == code for d in config.deployment(deployment).districts):
        raise ProfileError(f"{deployment} already lists district {code}")
    found = re.search(r"^( *)- code:", text, re.MULTILINE)  # the file's own indentation of its entries
    indent = found.group(1) if found else "  "
    entry = f'{indent}- code: "{code}"\n{indent}  name: {name}\n{indent}  settings: {profile_path}\n'
    deployment.write_text(text.rstrip("\n") + "\n" + entry, encoding="utf-8")


def new_district(code: str, name: str, level: str, platform: str, schemes: list[str] | None = None,
                 out: str | None = None, deployment: str | None = None) -> Path:
    """Write the profile (refusing to overwrite one), check it, and list it in the deployment."""
    relative = out or f"include/config/districts/{code}.yml"
    path = config.project_path(relative)
    if path.exists():
        raise ProfileError(f"{path} exists already: choose another --out, or edit that file")
    text = profile_text(code, name, level, platform, list(schemes or []), relative)
    checked(yaml.safe_load(text), path)  # the same check as a run's, before anything is written
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if deployment:
        _add_to_deployment(config.project_path(deployment), code, name, relative)
    return path

