"""Whether a month's landing folder keeps personal data private: the export's files of workers,
residents and special populations hold names, phones and ID numbers, and once archived (0700/0600)
the copy left in the landing folder must be no easier to read than the archive."""
from __future__ import annotations

import stat
from pathlib import Path

from gridpulse import config
from gridpulse.contract import tables

OTHERS = stat.S_IRWXG | stat.S_IRWXO  # any right of the group or of other users


def personal_files(folder: Path) -> list[Path]:
    """The month's files whose table has a personal column (the contract says which)."""
    mapping = config.platform_mapping()["files"]
    names = [mapping[name]["file"] for name, table in tables().items() if table.personal_columns and name in mapping]
    return [folder / name for name in names if (folder / name).is_file()]


def readable_by_others(folder: Path) -> list[str]:
    """What in `folder` lets another user at its personal data: the folder itself or a personal
    file with rights for the group or others (a folder 0755, a file 0644), as `name (mode)`."""
    held = personal_files(folder)
    if not held:
        return []
    found = [folder, *held]
    return [f"{path.name or path} ({stat.S_IMODE(path.stat().st_mode):04o})" for path in found
            if path.stat().st_mode & OTHERS]


def privacy_warning(folder: Path) -> str | None:
    """The warning a run gives for a month's landing folder readable by others, or None."""
    exposed = readable_by_others(folder)
    if not exposed:
        return None
    return (f"landing folder {folder} holds personal data readable by other users: {', '.join(exposed)}; "
            f"make it private with `chmod -R go= {folder}` and have whoever drops the export write it "
            f"0700/0600 (落地目录含个人信息，其他用户可读)")
