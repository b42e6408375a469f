"""`python -m gridpulse run` prints a line per step and where the full log is; dbt's report and
each step's log go to that file, and nothing alarming follows a success."""
from __future__ import annotations

import pytest

from conftest import PERIOD

STEPS = ["archive", "validate", "load", "dbt_build (dbt build: models and tests)", "publish"]


@pytest.mark.month
def test_a_run_prints_a_line_per_step_and_logs_the_rest_to_a_file(uninterrupted_run_folder):
    stdout = (uninterrupted_run_folder / "printed-stdout.txt").read_text(encoding="utf-8")
    stderr = (uninterrupted_run_folder / "printed-stderr.txt").read_text(encoding="utf-8")
    log = uninterrupted_run_folder / "data" / "logs" / f"run-{PERIOD}.log"
    lines = stdout.splitlines()
    assert lines[0] == f"gridpulse run {PERIOD}: the full log is in {log}"
    assert [line.split("  ")[1].strip() for line in lines[1:6]] == STEPS, stdout
    assert all(line.rstrip().endswith(" s") for line in lines[1:6])
    assert lines[6].startswith(f"gridpulse run {PERIOD}: published in ")
    assert [line.split(":")[0] for line in lines[7:]] == ["bulletin.docx", "bulletin.html", "bulletin.pdf",
                                                          "ranking.csv", "ranking.xlsx"], stdout
    assert stderr == ""  # no dbt report, no warnings, no "nanobind: leaked" at exit
    written = log.read_text(encoding="utf-8")
    assert "Completed successfully" in written and "PASS=" in written  # dbt's whole report is in the file
    assert "archived 2022-11" in written and "published 2022-11" in written  # and each step's log
    assert "\x1b[" not in written  # plain text: no terminal colours
    assert oct(log.stat().st_mode & 0o777) == "0o600" and oct(log.parent.stat().st_mode & 0o777) == "0o700"
