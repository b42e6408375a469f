"""A district changes its rules by editing a scheme file, never code: a re-run under an edited
scheme scores by the new rules, and a what-if re-scores a published month under a draft without
touching what is published."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
import yaml

from gridpulse import config

from conftest import PERIOD, copy_workspace, point_at

SCHEME = "yushui_township_2022"
# the edit: 事项总量 weighs 25 instead of 20; 网格员上报 asks 25 events a worker instead of 20
NEW_WEIGHT = {"event_volume": 25.0}
NEW_STANDARD = {"worker_reports": 25.0}


def _edited_scheme(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for path in config.SCHEMES_DIR.glob("*.yml"):
        shutil.copy(path, folder / path.name)
    scheme = yaml.safe_load((folder / f"{SCHEME}.yml").read_text(encoding="utf-8"))
    for item in scheme["items"]:
        item["weight"] = NEW_WEIGHT.get(item["item_id"], item["weight"])
        item["standard"] = NEW_STANDARD.get(item["item_id"], item.get("standard"))
    (folder / f"{SCHEME}.yml").write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder / f"{SCHEME}.yml"


def _scores(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT org_id, item_id, value, standard, weight, score FROM marts.fct_score_monthly "
            "WHERE period = ? AND scheme_id = ?", [PERIOD, SCHEME]).df().set_index(["org_id", "item_id"]).sort_index()
    finally:
        con.close()


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gridpulse(*args, **env):
    return subprocess.run([sys.executable, "-m", "gridpulse", *args], capture_output=True, text=True,
                          env=os.environ | env, cwd=config.PROJECT_DIR)


@pytest.fixture(scope="module")
def published(seed_months, tmp_path_factory):
    """A copy of the session's published months for this module, and 2022-11's scores."""
    root = copy_workspace(seed_months, tmp_path_factory.mktemp("changes") / "published")
    patch = pytest.MonkeyPatch()
    point_at(patch, root)
    yield root, _scores(config.paths().warehouse)
    patch.undo()


def _expect_new_rules(before, after):
    """Changed items follow the new weight and standard; every other score is as it was."""
    for (org, item), row in after.iterrows():
        old = before.loc[(org, item)]
        assert row.value == pytest.approx(old.value)
        if item == "event_volume":
            assert row.weight == 25 and row.score == pytest.approx(round(25 * min(row.value / row.standard, 1), 2), abs=0.005)
        elif item == "worker_reports":
            assert row.standard == 25 and row.score == pytest.approx(round(5 * min(row.value / 25, 1), 2), abs=0.005)
        else:
            assert row.score == pytest.approx(old.score)
    moved = (after.score - before.score).abs()
    assert (moved.xs("event_volume", level="item_id") > 0.01).sum() >= 10  # not all were capped at the standard
    assert (moved.xs("worker_reports", level="item_id") > 0.01).sum() >= 10


def test_a_draft_is_tried_apart_and_published_results_stay(published, tmp_path):
    root, before = published
    warehouse = config.paths().warehouse
    fingerprint = _sha256(warehouse)
    outputs = {p: _sha256(p) for p in (root / "output").rglob("*") if p.is_file()}
    draft = _edited_scheme(tmp_path / "drafts")

    done = _gridpulse("whatif", "--period", PERIOD, "--scheme", str(draft))
    assert done.returncode == 0, done.stderr + done.stdout
    lines = [line for line in done.stdout.splitlines() if "\t" in line]
    assert len(lines) == 1 + 17  # the header and every township
    scratch = warehouse.parent / "whatif" / f"{PERIOD}-{SCHEME}.duckdb"
    _expect_new_rules(before, _scores(scratch))
    # the published warehouse and outputs are byte for byte as they were
    assert _sha256(warehouse) == fingerprint
    assert {p: _sha256(p) for p in (root / "output").rglob("*") if p.is_file()} == outputs


def test_a_draft_not_in_force_that_month_is_refused(published, tmp_path):
    draft = yaml.safe_load((config.SCHEMES_DIR / f"{SCHEME}.yml").read_text(encoding="utf-8"))
    draft.update(scheme_id="yushui_township_2023", valid_from="2023-01")
    path = tmp_path / "yushui_township_2023.yml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    done = _gridpulse("whatif", "--period", PERIOD, "--scheme", str(path))
    assert done.returncode == 2
    assert "yushui_township_2023.yml: the draft is not in force in 2022-11" in done.stderr


def test_an_edited_scheme_file_rescores_on_rerun(published, tmp_path):
    _, before = published
    folder = _edited_scheme(tmp_path / "schemes").parent
    done = _gridpulse("run", "--period", PERIOD, GRIDPULSE_SCHEMES_DIR=str(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    _expect_new_rules(before, _scores(config.paths().warehouse))
