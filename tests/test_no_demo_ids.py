"""The demo's schemes and districts are data: their ids, codes and names appear only in the demo's
own files (its schemes, settings, deployment and generator), the documents and the tests. Code,
dbt and shared configuration that named one would make every other district second class: a
scheme under a new id that could never publish, a district that got another's letterhead."""
from __future__ import annotations

import re
import subprocess

from conftest import PROJECT_DIR

SCHEME_IDS = ["yushui_township_2022", "baiguan_grid_2021"]
DISTRICT_CODES = ["360502", "330604", "360521", "360591"]  # and every org code below them
CITY_CODES = ["3605"]
NAMES = ["渝水", "上虞", "百官", "分宜", "仙女湖", "新余"]

DEMO_ID = re.compile("|".join([*SCHEME_IDS, *(rf"(?<!\d){code}\d*" for code in DISTRICT_CODES),
                               *(rf"(?<!\d){code}(?!\d)" for code in CITY_CODES), *NAMES]))

# where the demo's ids belong
ALLOWED = re.compile(r"^(include/schemes/|include/config/(demo|deployments|districts)/|include/config/gridpulse[^/]*\.yml$"
                     r"|include/gridpulse/demo/|tools/airflow_screenshots\.py$|docs/|tests/|README)")


def _files() -> list[str]:
    """Every file of the repository, committed or new (not those git ignores)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return sorted(set(listed))


def _hits(relative: str) -> list[str]:
    path = PROJECT_DIR / relative
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # images, workbooks: not code or configuration
    return [f"{relative}:{n}: {match.group(0)}" for n, line in enumerate(text.splitlines(), start=1)
            for match in [DEMO_ID.search(line)] if match]


def test_the_pattern_finds_what_it_looks_for():
    for text in ["scheme_id: yushui_township_2022", '"360502011": {name: x}', "code: \"3605\"", "仙女湖区"]:
        assert DEMO_ID.search(text), text
    for text in ["code: \"36050\"", "2360502", "a township scheme"]:
        assert not DEMO_ID.search(text), text


def test_no_demo_id_outside_the_demos_own_files():
    files = _files()
    assert "include/gridpulse/pipeline.py" in files and "dbt_project/dbt_project.yml" in files
    found = [hit for relative in files if not ALLOWED.match(relative) for hit in _hits(relative)]
    assert not found, "the demo's ids belong in its own files (include/schemes/, include/config/demo/, ...):\n" + "\n".join(found)
