"""Keep every export exactly as received: archive/<period>/<export_id>/ plus a receipt.

The receipt records when the export arrived, from where, and the sha256 of every file, so a
published month can always be traced back to the bytes it came from.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from gridpulse.files.safe_paths import inside
from gridpulse.private_files import make_private, private_file, private_folder
from gridpulse.problems import ExportRejected, Problem
from gridpulse.sources import gate
from gridpulse.sources.manifest import RECEIPT, read_manifest, sha256_of

BLOCK = 1 << 22


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink() and p.name != RECEIPT}


def _copy_regular(source: Path, target: Path, limit: int) -> str:
    """Copy a regular file opened without following a link, at most `limit` bytes, into a new
    0600 file; return its sha256 (of the bytes copied, which are the bytes archived)."""
    digest, copied = hashlib.sha256(), 0
    with os.fdopen(gate.open_regular(source, limit), "rb") as handle, private_file(target) as out:
        while block := handle.read(BLOCK):
            copied += len(block)
            if copied > limit:
                raise gate.TooLarge(copied, limit)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _gate(incoming: Path, manifest: dict, manifest_name: str) -> list[str]:
    """The names of the month's folder that may be archived; ExportRejected if any entry is
    unsafe (a link, a device, a FIFO, a folder, a file over the limit): nothing is copied then."""
    check = gate.check_folder(incoming, manifest, manifest_name, gate.limits())
    if check.unsafe:
        raise ExportRejected("导出中有不安全的条目，导出未读取、未归档 (the export holds links, devices or oversized files; "
                             "nothing was read)", check.unsafe)
    return sorted(check.accepted)


def archive_export(incoming: Path, archive_root: Path, period: str, manifest_name: str) -> Path:
    """Copy the export folder `incoming` into the archive and return the archived folder.

    Archiving the same bytes twice returns the first copy; a re-export with other bytes under the
    same export id is kept beside it, never over it.
    """
    if incoming.is_symlink():  # not even the manifest is read through a link
        raise ExportRejected("本月目录是符号链接，导出未读取 (the month's folder is a link; nothing was read)",
                             [Problem(incoming.name, "本月目录是符号链接：导出目录必须是真实目录，不会读取其中任何文件", check="not_regular")])
    manifest = read_manifest(incoming, manifest_name)
    names = _gate(incoming, manifest, manifest_name)
    private_folder(archive_root)
    base = inside(archive_root, period, manifest["export_id"])
    staging = inside(archive_root, period, f".{manifest['export_id']}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    private_folder(staging)
    limit = gate.limits().file_bytes
    try:
        received = {name: _copy_regular(incoming / name, staging / name, limit) for name in names if name != RECEIPT}
    except (gate.NotRegular, gate.TooLarge) as exc:  # swapped or grown since the gate looked
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportRejected("导出在归档时被改动，导出未归档 (the export changed while it was archived)",
                             [Problem(incoming.name, f"归档时文件被替换或变大（{exc}）；请等平台写完后再取", check="not_regular")]) from None
    target, n = base, 1
    while target.exists():
        receipt = json.loads((target / RECEIPT).read_text(encoding="utf-8"))
        if receipt["files"] == received:
            shutil.rmtree(staging, ignore_errors=True)
            return target
        n += 1
        target = inside(archive_root, period, f"{base.name}.{n}")
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
