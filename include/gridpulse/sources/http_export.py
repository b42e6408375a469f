"""The platform's HTTP(S) export endpoint: <base URL>/<month_path>/<file>, a bearer token.

The connection (gridpulse.yml source.http.connection) gives the base URL as its host (with
scheme, or `schema` for the scheme; `port` if any) and the token as its password. Downloads
resume with an HTTP Range request from the bytes already received.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx

from gridpulse.connections import base_url, connection
from gridpulse.sources import gate
from gridpulse.sources.remote import SourceRefused, TransferInterrupted


class HttpExport:
    def __init__(self, conf: dict, period: str, timeout: float):
        conn = connection(conf["connection"])
        self.month_url = f"{base_url(conn, '')}/{conf['month_path'].format(period=period).strip('/')}/"
        self.where = self.month_url
        # identity: the bytes on the wire are the file's bytes, so a Range continues the same file
        self.client = httpx.Client(headers={"Authorization": f"Bearer {conn.password}", "Accept-Encoding": "identity"},
                                   timeout=timeout)

    def _url(self, name: str) -> str:
        return self.month_url + quote(name)

    @staticmethod
    def _check(response: httpx.Response, name: str) -> None:
        if response.status_code in (401, 403):
            raise SourceRefused(f"导出接口拒绝访问 {name}：HTTP {response.status_code}，请检查令牌 (token refused)")
        if response.status_code >= 500:
            raise TransferInterrupted(f"{name}: HTTP {response.status_code}")
        response.raise_for_status()

    def manifest(self, name: str = "") -> bytes | None:
        from gridpulse import config

        name = name or config.manifest_name()
        limit = gate.limits().manifest_bytes
        try:
            with self.client.stream("GET", self._url(name)) as response:
                if response.status_code == 404:
                    return None
                self._check(response, name)
                body = bytearray()
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > limit:  # the gate refuses it: no need for the rest
                        break
                return bytes(body)
        except httpx.TransportError as exc:
            raise TransferInterrupted(f"{name}: {exc!r}") from exc

    def download(self, name: str, dest: Path) -> None:
        have = dest.stat().st_size if dest.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with self.client.stream("GET", self._url(name), headers=headers) as response:
                if response.status_code == 416:  # nothing left to send: the file is whole
                    return
                self._check(response, name)
                # 206 continues the file; 200 means the server sent it all again
                limit = gate.limits().file_bytes
                with open(dest, "ab" if response.status_code == 206 else "wb") as fh:
                    for chunk in response.iter_raw():  # unbuffered: every byte received is kept
                        fh.write(chunk)
                        if fh.tell() > limit:  # the caller refuses the file: stop receiving it
                            break
        except httpx.TransportError as exc:
            raise TransferInterrupted(f"{name}: {exc!r}") from exc

    def close(self) -> None:
        self.client.close()
