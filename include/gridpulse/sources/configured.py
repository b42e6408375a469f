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


def awaited(period: str, ready: bool = False) -> str:
    """Where the month's export is expected and what of it is missing, for the sensor's log."""
    manifest = config.manifest_name()
    if kind() == "local":
        folder = local.month_folder(config.paths().source, period)
        if not folder.is_dir():
            return f"{folder}/ does not exist yet: put the month's export there, its {manifest} last / 导出目录尚未建立"
        files = sorted(path.name for path in folder.iterdir())
        if (folder / manifest).is_file():
            return f"{folder}/ is complete ({len(files)} files, {manifest} included)"
        return (f"{folder}/ has {len(files)} file(s) ({', '.join(files[:8])}{', …' if len(files) > 8 else ''}) but no {manifest} "
                "yet: the platform writes it last / 清单文件尚未到达")
    with _transport(period) as transport:  # opens no connection: its address only
        return f"{transport.where} ({kind()}): " + ("complete" if ready else f"no {manifest} there yet / 来源上尚无清单文件")


def fetch(period: str) -> Path:
    """The month's complete folder in the landing folder, downloaded first from a remote source."""
    if kind() == "local":
        folder = local.month_folder(config.paths().source, period)
        if not local.export_ready(config.paths().source, period, config.manifest_name()):
            raise FileNotFoundError(f"{period} 的导出尚未到达：{folder / config.manifest_name()} 不存在 (the export has not arrived)")
        return folder
    with _transport(period) as transport:
        return remote.fetch_month(transport, period)
