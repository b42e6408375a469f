"""The source named in gridpulse.yml (`source.kind`, env GRIDPULSE_SOURCE_KIND): local, http or
sftp. Every kind ends with the month complete in the landing folder, where archiving takes it."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from gridpulse import config
from gridpulse.sources import local, remote

KINDS = ("local", "http", "sftp")


def kind() -> str:
    name = os.environ.get("GRIDPULSE_SOURCE_KIND") or config.settings()["source"]["kind"]
    if name not in KINDS:
        raise ValueError(f"gridpulse.yml source.kind must be one of {', '.join(KINDS)}, got {name!r}")
    return name


def remote_connection() -> tuple[str, str] | None:
    """(kind, Airflow connection id) of a remote source; None for a local folder."""
    if kind() == "local":
        return None
    return kind(), config.settings()["source"][kind()]["connection"]


@contextmanager
def _transport(period: str):
    conf = config.settings()["source"]
    timeout = float(conf["timeout_seconds"])
    if kind() == "http":
        from gridpulse.sources.http_export import HttpExport

        transport = HttpExport(conf["http"], period, timeout)
    else:
        from gridpulse.sources.sftp_drop import SftpDrop

        transport = SftpDrop(conf["sftp"], period, timeout)
    try:
        yield transport
    finally:
        transport.close()


def export_ready(period: str) -> bool:
    """Whether the month's export is complete at the source (its manifest is there)."""
    if kind() == "local":
        return local.export_ready(config.paths().source, period, config.manifest_name())
    with _transport(period) as transport:
        return remote.remote_ready(transport, period)


def fetch(period: str) -> Path:
    """The month's complete folder in the landing folder, downloaded first from a remote source."""
    if kind() == "local":
        folder = local.month_folder(config.paths().source, period)
        if not local.export_ready(config.paths().source, period, config.manifest_name()):
            raise FileNotFoundError(f"{period} 的导出尚未到达：{folder / config.manifest_name()} 不存在 (the export has not arrived)")
        return folder
    with _transport(period) as transport:
        return remote.fetch_month(transport, period)
