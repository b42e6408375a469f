"""The landing folder holds the export as the platform sent it, names, phones and ID numbers
included: the demo writes it private, and a run warns when a month's landing folder lets other
users read personal data."""
from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys

from gridpulse import pipeline
from gridpulse.sources.landing import personal_files, privacy_warning

from conftest import MONTH, PERIOD, PROJECT_DIR


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_demo_writes_the_landing_folder_0700_and_its_files_0600(tmp_path):
    landing = tmp_path / "landing"
    subprocess.run([sys.executable, "-m", "gridpulse.demo", "--period", PERIOD, "--out", str(landing), "--scale", "0.1"],
                   cwd=PROJECT_DIR, check=True, capture_output=True, preexec_fn=lambda: os.umask(0o022))  # a shell's umask
    month = landing / PERIOD
    files = list(month.iterdir())
    assert _mode(landing) == 0o700 and _mode(month) == 0o700
    assert files and {_mode(path) for path in files} == {0o600}
    assert privacy_warning(month) is None


def test_a_run_warns_when_a_landing_folder_with_personal_data_is_readable_by_others(small_month, workspace, caplog):
    month = workspace["source"] / PERIOD
    shutil.copytree(small_month, month)
    os.chmod(workspace["source"], 0o755)
    os.chmod(month, 0o755)  # as a copy made by hand or an unzip with umask 022 leaves it
    for path in month.iterdir():
        os.chmod(path, 0o644)
    held = {path.name for path in personal_files(month)}
    assert {"网格员.xlsx"} <= held and "事件.csv" not in held  # workers' file; events hold no personal column
    with caplog.at_level(logging.WARNING, logger="gridpulse.pipeline"):
        pipeline.archive(MONTH)
    [warning] = [r.getMessage() for r in caplog.records if "landing folder" in r.getMessage()]
    assert str(month) in warning and "(0755)" in warning and all(f"{name} (0644)" in warning for name in held)
    assert "事件.csv" not in warning and f"chmod -R go= {month}" in warning
    subprocess.run(["chmod", "-R", "go=", str(month)], check=True)  # what the warning says to do
    assert privacy_warning(month) is None
