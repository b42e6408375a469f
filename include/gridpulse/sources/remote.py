"""Pulling a month from a remote source (the platform's HTTP export endpoint or an SFTP drop) into
the landing folder, where the local source and the archive take it from.

Files are downloaded into a hidden staging folder beside the month; an interrupted download is
resumed from the bytes already there on the next try (tries and backoff from gridpulse.yml); every
file must match the manifest's sha256; only then is the manifest written and the folder renamed
into place, so the month appears in the landing folder whole or not at all.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Protocol

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from gridpulse import config
from gridpulse.files.safe_paths import inside
from gridpulse.private_files import make_private, private_folder
from gridpulse.problems import ExportRejected, Problem
from gridpulse.sources import gate, local
from gridpulse.sources.manifest import checked_manifest, sha256_of

log = logging.getLogger(__name__)


class TransferInterrupted(Exception):
    """The connection broke or timed out: trying again can help."""


class SourceRefused(Exception):
    """The source said no (bad token, no permission): trying again cannot help."""


class Transport(Protocol):
    def manifest(self) -> bytes | None: ...                  # None while the export is not there yet
    def download(self, name: str, dest: Path) -> None: ...   # append to dest from its current size
    def close(self) -> None: ...


def _settings() -> dict:
    return config.settings()["source"]


def _retrying() -> Retrying:
    conf = _settings()
    return Retrying(stop=stop_after_attempt(int(conf["attempts"])), reraise=True,
                    wait=wait_exponential(multiplier=float(conf["backoff_seconds"]), max=60),
                    retry=retry_if_exception_type(TransferInterrupted),
                    before_sleep=lambda state: log.warning("transfer interrupted (%s); try %d again",
                                                           state.outcome.exception(), state.attempt_number + 1))


def _too_large(dest: Path, name: str, limit: int) -> None:
    """A download past the per-file limit is deleted and refused (a transport stops soon after)."""
    size = dest.stat().st_size if dest.exists() else 0
    if size > limit:
        dest.unlink()
        raise ExportRejected("下载的文件超过大小上限，本月导出拒收 (a downloaded file is over its size limit)",
                             [Problem(name, f"文件超过上限 {limit} 字节（export_limits.file_bytes）", check="limit:file_bytes")])


def _download_verified(transport: Transport, entry: dict, staging: Path, manifest_name: str) -> None:
    """Download one file (resuming), check its sha256; a mismatch is downloaded once more from
    scratch (a partial file may be left from an earlier export), then refused, naming the file.
    The file is written only under a name the gate accepted, inside the staging folder."""
    name, expected = entry["file"], str(entry.get("sha256", "")).lower()
    dest = inside(staging, name)
    limit = gate.limits().file_bytes
    for fresh in (False, True):
        if fresh:
            dest.unlink(missing_ok=True)
        for attempt in _retrying():
            with attempt:
                transport.download(name, dest)
        _too_large(dest, name, limit)
        if not expected or sha256_of(dest) == expected:
            return
    got = sha256_of(dest)
    dest.unlink()
    raise ExportRejected(f"下载的文件与清单不符，本月导出拒收 (a downloaded file does not match {manifest_name})",
                         [Problem(name, f"校验和与清单 {manifest_name} 不符：清单 {expected}，收到 {got}", check="checksum")])


def _read_manifest(raw: bytes, period: str, manifest_name: str) -> dict:
    """The remote manifest through the same gate as a local one (gate.py): its size, export id
    and every listed name checked before anything is downloaded."""
    bounds = gate.limits()
    if len(raw) > bounds.manifest_bytes:
        raise ExportRejected("清单文件过大 (the manifest is over its size limit)",
                             [Problem(manifest_name, f"清单有 {len(raw)} 字节，超过上限 {bounds.manifest_bytes} 字节（export_limits.manifest_bytes）",
                                      check="limit:manifest_bytes")])
    manifest = checked_manifest(raw, manifest_name, bounds)
    if str(manifest.get("period")) != period:
        raise ExportRejected("清单文件与所取月份不符 (the manifest is not this month's)",
                             [Problem(manifest_name, f"清单的 period 为 {manifest.get('period')!r}，应为 {period}", check="manifest")])
    return manifest


def remote_ready(transport: Transport, period: str) -> bool:
    """Whether the month is complete here already, or its manifest is on the server."""
    if local.export_ready(config.paths().source, period, config.manifest_name()):
        return True
    for attempt in _retrying():
        with attempt:
            return transport.manifest() is not None
    return False


def fetch_month(transport: Transport, period: str) -> Path:
    """Download the month into the landing folder (once) and return its folder there."""
    landing = config.paths().source
    manifest_name = config.manifest_name()
    target = local.month_folder(landing, period)
    if local.export_ready(landing, period, manifest_name):
        return target
    for attempt in _retrying():
        with attempt:
            raw = transport.manifest()
    if raw is None:
        raise FileNotFoundError(f"{period} 的导出尚未到达：来源上没有 {manifest_name} (the export has not arrived)")
    manifest = _read_manifest(raw, period, manifest_name)
    staging = landing / f".{period}.partial"  # kept across tries: the next one resumes from it
    private_folder(staging)
    for entry in manifest["files"]:
        _download_verified(transport, entry, staging, manifest_name)
    (staging / manifest_name).write_bytes(raw)  # last: its presence means the month is complete
    make_private(staging)  # the export holds personal data
    if target.exists():
        shutil.rmtree(target)  # an incomplete copy without a manifest, never a complete month
    staging.rename(target)
    return target
