"""A configured scheme with no version in force for the month is never skipped in silence: the
district chooses in gridpulse.yml (`schemes_out_of_force`) whether the run fails or publishes with
the warning in the validation report, the task log and the bulletin's cover note. The settings
file is chosen with GRIDPULSE_CONFIG, as a second district's deployment would."""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest
import yaml
from docx import Document

from gridpulse import config, pipeline
from gridpulse.schemes import SchemeNotInForce

from conftest import MONTH, PERIOD
from exports import drop_month

pytestmark = pytest.mark.month

OUT_OF_FORCE = "baiguan_grid_2021"  # valid 2021-01 to 2021-12, configured here for 2022-11


def _settings_with_a_scheme_out_of_force(folder: Path, policy: str) -> Path:
    settings = config.read_yaml(config.CONFIG_DIR / "gridpulse.yml")
    settings["schemes"] = [*settings["schemes"], OUT_OF_FORCE]
    settings["schemes_out_of_force"] = policy
    path = folder / f"gridpulse-{policy}.yml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def test_a_scheme_out_of_force_fails_the_month_when_configured_to(workspace, demo_month, monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDPULSE_CONFIG", str(_settings_with_a_scheme_out_of_force(tmp_path, "fail")))
    drop_month(demo_month, workspace["source"])
    archived = pipeline.archive(MONTH)
    with pytest.raises(SchemeNotInForce) as refused:
        pipeline.validate(MONTH, archived)
    assert f"考核方案 {OUT_OF_FORCE}" in str(refused.value) and f"{PERIOD} 不在有效期内" in str(refused.value)
    assert "schemes_out_of_force" in str(refused.value)  # says how to choose otherwise
    assert not config.paths().warehouse.exists() and not (config.paths().output / PERIOD).exists()


def test_a_scheme_out_of_force_is_warned_everywhere_when_configured_to(workspace, demo_month, monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("GRIDPULSE_CONFIG", str(_settings_with_a_scheme_out_of_force(tmp_path, "warn")))
    drop_month(demo_month, workspace["source"])
    with caplog.at_level(logging.WARNING, logger="gridpulse.schemes"):
        archived = pipeline.archive(MONTH)
        report = Path(pipeline.validate(MONTH, archived))
        pipeline.load(MONTH, archived)
        pipeline.transform(MONTH)
        published = pipeline.publish(MONTH)
    warning = f"考核方案 {OUT_OF_FORCE}"
    assert warning in report.read_text(encoding="utf-8")                        # the validation report
    assert any(warning in record.getMessage() for record in caplog.records)      # the task log
    cover = [p.text for p in Document(published["bulletin.docx"]).paragraphs if p.text.startswith("说明：")]
    assert len(cover) == 1 and warning in cover[0] and f"{PERIOD} 不在有效期内" in cover[0]  # the cover note
    con = duckdb.connect(str(config.paths().warehouse), read_only=True)
    try:
        scored = {row[0] for row in con.execute("SELECT DISTINCT scheme_id FROM marts.rpt_ranking_monthly WHERE period = ?", [PERIOD]).fetchall()}
    finally:
        con.close()
    assert OUT_OF_FORCE not in scored and scored  # the month ran under the schemes in force
