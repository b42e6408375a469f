"""Keep every export exactly as received: archive/<period>/<export_id>/ plus a receipt.

The receipt records when the export arrived, from where, and the sha256 of every file, so a
published month can always be traced back to the bytes it came from.
"""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from gridpulse.private_files import make_private, private_folder
from gridpulse.sources.manifest import RECEIPT, read_manifest, sha256_of


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != RECEIPT}


def archive_export(incoming: Path, archive_root: Path, period: str, manifest_name: str) -> Path:
    """Copy the export folder `incoming` into the archive and return the archived folder.

    Archiving the same bytes twice returns the first copy; a re-export with other bytes under the
    same export id is kept beside it, never over it.
    """
    manifest = read_manifest(incoming, manifest_name)
    received = _fingerprint(incoming)
    base = archive_root / period / str(manifest["export_id"])
    target, n = base, 1
    while target.exists():
        receipt = json.loads((target / RECEIPT).read_text(encoding="utf-8"))
        if receipt["files"] == received:
            return target
        n += 1
        target = base.with_name(f"{base.name}.{n}")
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    private_folder(archive_root)
    shutil.copytree(incoming, staging)
    receipt = {
        "period": period,
        "export_id": manifest["export_id"],
        "source": str(incoming),
        "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": received,
    }
    (staging / RECEIPT).write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    make_private(staging)  # copied files keep the modes they arrived with
    staging.rename(target)  # the archived folder appears whole or not at all
    make_private(archive_root)  # the month folders too: exports hold personal data
    return target


def received_files(archived: Path) -> dict[str, str]:
    """sha256 of every file of an archived export, as its receipt recorded them on arrival."""
    receipt = archived / RECEIPT
    if receipt.exists():
        return json.loads(receipt.read_text(encoding="utf-8"))["files"]
    return _fingerprint(archived)
