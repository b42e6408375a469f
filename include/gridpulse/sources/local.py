"""The local-folder source: the platform (or a person) drops <source>/<YYYY-MM>/ with a manifest."""
from __future__ import annotations

import os
from pathlib import Path


def month_folder(source_root: Path, period: str) -> Path:
    return source_root / period


def export_ready(source_root: Path, period: str, manifest_name: str) -> bool:
    """The export is complete once its manifest is there: platforms write the manifest last. A
    manifest that is a link counts as there, so the gate names it instead of waiting for it."""
    return os.path.lexists(month_folder(source_root, period) / manifest_name)
