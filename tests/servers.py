"""Real servers on loopback for the delivery tests: SMTP (aiosmtpd) and a webhook receiver
(http.server). Each binds port 0 and is stopped by the test that started it."""
from __future__ import annotations

import json
import os
import signal
import threading
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _LoopbackController(Controller):
    """aiosmtpd's controller on port 0: learn the port the OS gave before poking the server."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailSink:
    """Keeps every message it accepts. `kill_pid_at=n` SIGKILLs the sending process when the n-th
    message has arrived, before the server answers it: the client dies between recipients."""

    def __init__(self, login: str, password: str):
        self.credentials = (login.encode(), password.encode())
        self.messages: list[dict] = []
        self.kill_pid_at: tuple[int, int] | None = None  # (message number, pid)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == self.credentials
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                              "raw": envelope.original_content, "authenticated": session.authenticated,
                              "message": message_from_bytes(envelope.original_content, policy=default)})
        if self.kill_pid_at and len(self.messages) == self.kill_pid_at[0]:
            os.kill(self.kill_pid_at[1], signal.SIGKILL)
            return "250 OK"  # kept, but the sender died before it could hear so
        return "250 OK"

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if m["rcpt_tos"] == [address]]


class SmtpServer:
    def __init__(self, login: str = "gridpulse", password: str = "s3cret-pass"):
        self.sink = MailSink(login, password)
        self.login, self.password = login, password
        self.controller = _LoopbackController(self.sink, hostname="127.0.0.1", port=0,
                                              authenticator=self.sink.authenticate,
                                              auth_require_tls=False, auth_required=True)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        self.port = self.controller.port
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def connection_json(self, from_email: str) -> str:
        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port, "login": self.login,
                           "password": self.password,
                           "extra": {"from_email": from_email, "disable_ssl": True, "disable_tls": True}})


class WebhookServer:
    """Records every POST (path, query, JSON body) and answers like the robots do. `refuse` is a
    list of paths whose next request gets errcode 93000 (one refusal each)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.refuse: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                refused = url.path in outer.refuse
                if refused:
                    outer.refuse.remove(url.path)
                else:
                    outer.posts.append({"path": url.path, "query": parse_qs(url.query), "json": json.loads(body)})
                answer = json.dumps({"errcode": 93000 if refused else 0, "errmsg": "refused" if refused else "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def __enter__(self) -> "WebhookServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def connection_json(self, token: str, secret: str | None = None) -> str:
        return json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": self.port, "schema": "http",
                           "password": token, "extra": {"secret": secret} if secret else {}})

    def at(self, path: str) -> list[dict]:
        return [p for p in self.posts if p["path"] == path]
