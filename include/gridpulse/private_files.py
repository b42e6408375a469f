"""Folders and files that hold personal data: readable by the service's own user alone.

Archive, landing, staging, quarantine and restricted folders are 0700 and their files 0600,
whatever the umask of the process that writes them (an Airflow worker, a shell, a test).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create the folder (and its missing parents) if needed; the folder itself is 0700."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


@contextmanager
def private_file(path: Path):
    """Open a new file for writing in binary, created 0600 (never readable by others, not even
    for the moment between creating it and changing its mode)."""
    private_folder(path.parent)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        yield handle


def make_private(root: Path) -> None:
    """Set 0700 on `root` and every folder below it, and 0600 on every file: for trees copied or
    written by code that does not choose modes (shutil, DuckDB)."""
    if not root.exists():
        return
    if root.is_file():
        os.chmod(root, FILE_MODE)
        return
    os.chmod(root, FOLDER_MODE)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(os.path.join(folder, name), FOLDER_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)
