"""Write-audit-publish for the warehouse file.

A run loads and builds a copy of the published warehouse; the copy replaces the published file
by one rename once the month has loaded, built and passed every dbt test. Analysts who open the
published file see the last complete state; a run that fails or dies leaves it as it was.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from gridpulse import config


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def start_build() -> Path:
    """A fresh building copy of the published warehouse (an empty one before the first month)."""
    paths = config.paths()
    building = paths.building
    building.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (building, _wal(building)):  # a run that died leaves its copy behind
        leftover.unlink(missing_ok=True)
    if paths.warehouse.exists():
        shutil.copy2(paths.warehouse, building)
    return building


def current_build() -> Path:
    """The building copy, started from the published warehouse if no run has started one."""
    building = config.paths().building
    return building if building.exists() else start_build()


def readable() -> Path:
    """What to read a month's marts from: the build being published, else the published file."""
    paths = config.paths()
    return paths.building if paths.building.exists() else paths.warehouse


def swap_in() -> Path:
    """Make the building copy the published warehouse, in one rename."""
    paths = config.paths()
    if not paths.building.exists():
        return paths.warehouse  # already published (a retried publish)
    _wal(paths.warehouse).unlink(missing_ok=True)  # a log of the old file must not replay on the new one
    os.replace(paths.building, paths.warehouse)
    return paths.warehouse


def discard_build() -> None:
    """Throw the building copy away: a month that failed leaves the published file as it was."""
    building = config.paths().building
    for leftover in (building, _wal(building)):
        leftover.unlink(missing_ok=True)
