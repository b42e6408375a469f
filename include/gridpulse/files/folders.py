"""Publishing a folder whole: it is written beside its place under a hidden name, then swapped in
by renames, so readers see the previous complete folder or the new complete one, never a mix."""
from __future__ import annotations

import shutil
from pathlib import Path


def emptied(staging: Path) -> Path:
    """`staging` as an empty folder (whatever a run that died left in it is thrown away)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, target: Path) -> dict[str, str]:
    """`staging` becomes `target` by renames; return the files it holds by name."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return {p.name: str(target / p.name) for p in sorted(target.iterdir())}
