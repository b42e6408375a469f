"""The load step inserts what validation staged and nothing else: it never reads an export or
calls validation itself. Asked to load a month that was not validated, it refuses and says to
validate first; once validated, the staged month (personal data) is gone after the load."""
from __future__ import annotations

from pathlib import Path

import pytest

from gridpulse import config, pipeline
from gridpulse.ingest.staged import staged_path
from gridpulse.load.month import NotValidated

from conftest import MONTH
from exports import drop_month

pytestmark = pytest.mark.month


def test_a_load_without_validation_is_refused_and_says_what_to_run(workspace, demo_month):
    drop_month(demo_month, workspace["source"])
    archived = pipeline.archive(MONTH)
    with pytest.raises(NotValidated, match="validate"):
        pipeline.load(MONTH, archived)
    assert not config.paths().building.exists() and not config.paths().warehouse.exists()

    pipeline.validate(MONTH, archived)
    assert staged_path(Path(archived)).exists()
    loaded = pipeline.load(MONTH, archived)
    assert loaded["events"] > 30_000 and not staged_path(Path(archived)).exists()
