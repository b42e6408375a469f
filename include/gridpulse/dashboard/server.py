"""`make dashboard`: the trends page for leaders on http://127.0.0.1:8050/.

Why pages drawn on the server with inline SVG, not Streamlit, marimo or ECharts: the page must
open on a machine without internet (ECharts' script would have to come from a CDN or be vendored),
leaders read it rather than explore it, and the project already has what it needs (DuckDB, the
standard library's HTTP server) so nothing is added to requirements.txt. Each request opens the
published warehouse read-only and closes it, so the page never blocks the monthly run and shows the
month it has just published. It listens on loopback only.
"""
from __future__ import annotations

import argparse
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from gridpulse import config
from gridpulse.dashboard import pages, queries

HOST = "127.0.0.1"


def render(path: str, params: dict[str, str], warehouse: Path) -> tuple[int, str]:
    with queries.read_only(warehouse) as con:
        if path == "/":
            return 200, pages.trends(con, params.get("scheme"))
        if path == "/signals":
            return 200, pages.signals(con, params.get("period"))
        scheme = params.get("scheme") or (queries.township_schemes(con) or [{"scheme_id": ""}])[0]["scheme_id"]
        if path == "/township" and "id" in params:
            return 200, pages.township(con, params["id"], scheme, params.get("period"))
        if path == "/village" and "id" in params and "period" in params:
            return 200, pages.village(con, params["id"], scheme, params["period"])
    return 404, pages.page("未找到", "<p>没有这个页面。</p>")


def font_file() -> Path:
    """Noto Sans SC (SIL OFL), installed with the project for the bulletin's PDF and charts."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


def handler_for(warehouse: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            url = urlsplit(self.path)
            if url.path == pages.FONT_URL:
                self._send(200, font_file().read_bytes(), "font/otf", cache=True)
                return
            params = {key: values[0] for key, values in parse_qs(url.query).items()}
            status, html = render(url.path, params, warehouse)
            self._send(status, html.encode("utf-8"), "text/html; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str, cache: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if cache:
                self.send_header("Cache-Control", "max-age=86400")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002
            print(f"{self.address_string()} {format % args}", file=sys.stderr)

    return Handler


def _stop(signal_number, frame) -> None:
    raise KeyboardInterrupt  # out of serve_forever, in the main thread, to close the socket


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the trends page on loopback, read-only")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    warehouse = config.paths().warehouse
    if not warehouse.exists():
        raise SystemExit(f"no published warehouse at {warehouse}: run `make demo` or a month first")
    server = ThreadingHTTPServer((HOST, args.port), handler_for(warehouse))
    print(f"Grid Pulse trends: http://{HOST}:{server.server_port}/ (Ctrl-C stops it)", flush=True)
    # SIGTERM (a service manager, `kill`, a test's teardown) stops it as Ctrl-C does; started in the
    # background SIGINT may arrive ignored, so Ctrl-C gets its default handler back as well
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
