"""The platform's SFTP drop: the month's folder <month_path> on an SFTP server.

The connection (gridpulse.yml source.sftp.connection) gives host, port, login and password, or
extra `key_file` for a private key; the server's key is checked against extra `host_key` (its
public key line) or extra `known_hosts` (a file), else ~/.ssh/known_hosts. asyncssh is async, so
this transport runs it on a private event loop; a lost connection is reopened on the next try and
the file continues from the bytes already received.
"""
from __future__ import annotations

import asyncio
import posixpath
from pathlib import Path

import asyncssh

from gridpulse.connections import connection
from gridpulse.sources import gate
from gridpulse.sources.remote import SourceRefused, TransferInterrupted

CHUNK = 1 << 16


def _known_hosts(conn):
    extra = conn.extra_dejson
    if extra.get("host_key"):
        port = conn.port or 22
        host = conn.host if port == 22 else f"[{conn.host}]:{port}"
        return asyncssh.import_known_hosts(f"{host} {extra['host_key'].strip()}\n")
    return extra.get("known_hosts") or ()  # () lets asyncssh read ~/.ssh/known_hosts


class SftpDrop:
    def __init__(self, conf: dict, period: str, timeout: float):
        self.conn = connection(conf["connection"])
        self.folder = conf["month_path"].format(period=period)
        self.where = f"sftp://{self.conn.login or ''}@{self.conn.host}:{self.conn.port or 22}/{self.folder.lstrip('/')}/"
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.ssh = self.sftp = None

    def _run(self, coroutine):
        try:
            return self.loop.run_until_complete(asyncio.wait_for(coroutine, self.timeout))
        except asyncssh.PermissionDenied as exc:
            raise SourceRefused(f"SFTP 服务器拒绝登录 {self.conn.login}@{self.conn.host}：{exc.reason}") from exc
        except asyncssh.SFTPPermissionDenied as exc:
            raise SourceRefused(f"SFTP 服务器拒绝读取：{exc.reason}") from exc
        except (TimeoutError, OSError, asyncssh.DisconnectError, asyncssh.ConnectionLost, asyncssh.SFTPConnectionLost, asyncssh.SFTPFailure) as exc:
            self._drop()
            raise TransferInterrupted(repr(exc)) from exc

    async def _client(self) -> asyncssh.SFTPClient:
        if self.sftp is None:
            key_file = self.conn.extra_dejson.get("key_file")
            self.ssh = await asyncssh.connect(
                self.conn.host, port=self.conn.port or 22, username=self.conn.login,
                password=self.conn.password or None, client_keys=[key_file] if key_file else None,
                known_hosts=_known_hosts(self.conn))
            self.sftp = await self.ssh.start_sftp_client()
        return self.sftp

    def _drop(self) -> None:
        if self.ssh is not None:
            self.ssh.abort()
        self.ssh = self.sftp = None

    def _path(self, name: str) -> str:
        return posixpath.join(self.folder, name)

    async def _manifest(self, name: str) -> bytes | None:
        sftp = await self._client()
        try:
            async with sftp.open(self._path(name), "rb") as remote:
                return await remote.read(gate.limits().manifest_bytes + 1)  # beyond it the gate refuses it
        except asyncssh.SFTPNoSuchFile:
            return None

    def manifest(self, name: str = "") -> bytes | None:
        from gridpulse import config

        return self._run(self._manifest(name or config.manifest_name()))

    async def _download(self, name: str, dest: Path) -> None:
        sftp = await self._client()
        have = dest.stat().st_size if dest.exists() else 0
        limit = gate.limits().file_bytes
        async with sftp.open(self._path(name), "rb") as remote:
            await remote.seek(have)
            with open(dest, "ab") as fh:
                while fh.tell() <= limit and (chunk := await remote.read(CHUNK)):  # past the limit the caller refuses it
                    fh.write(chunk)
                    fh.flush()  # what arrived stays on disk if the connection breaks

    def download(self, name: str, dest: Path) -> None:
        self._run(self._download(name, dest))

    def close(self) -> None:
        if self.ssh is not None:
            self.ssh.close()
            self.loop.run_until_complete(self.ssh.wait_closed())
        self.loop.close()
