"""Real servers on loopback for the delivery tests: SMTP (aiosmtpd) and a webhook receiver
(http.server). Each binds port 0 and is stopped by the test that started it. `stop_process` stops
a server a test started as a process of its own."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def stop_process(process: subprocess.Popen, grace: float = 20) -> int:
    """Stop a process a test started (its whole process group when it leads one): SIGTERM, then
    SIGKILL if it has not ended within `grace` seconds; return its exit status. Never SIGINT
    alone: a test run started in the background (`make test &`, nohup) passes SIGINT on ignored."""
    def send(signal_number: int) -> None:
        try:
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal_number)
            else:
                process.send_signal(signal_number)
        except ProcessLookupError:
            pass  # already gone

    if process.poll() is None:
        send(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            process.wait(30)
    return process.returncode


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
                              "tls": session.ssl is not None,
                              "message": message_from_bytes(envelope.original_content, policy=default)})
        if self.kill_pid_at and len(self.messages) == self.kill_pid_at[0]:
            os.kill(self.kill_pid_at[1], signal.SIGKILL)
            return "250 OK"  # kept, but the sender died before it could hear so
        return "250 OK"

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if m["rcpt_tos"] == [address]]


def loopback_certificate(folder) -> tuple:
    """A self-signed certificate for 127.0.0.1 (cert, key paths): clients trust it through
    SSL_CERT_FILE, so TLS is verified for real, hostname included."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpServer:
    """SMTP with STARTTLS required before AUTH, and AUTH required before mail, as a real
    submission server; `cert_path` is what a client must trust (SSL_CERT_FILE)."""

    def __init__(self, folder, login: str = "gridpulse", password: str = "s3cret-pass"):
        import ssl

        self.sink = MailSink(login, password)
        self.login, self.password = login, password
        self.cert_path, key_path = loopback_certificate(folder)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.cert_path, key_path)
        self.controller = _LoopbackController(self.sink, hostname="127.0.0.1", port=0, tls_context=tls,
                                              require_starttls=True, authenticator=self.sink.authenticate,
                                              auth_require_tls=True, auth_required=True)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        self.port = self.controller.port
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def connection_uri(self, from_email: str) -> str:
        """The same connection as an Airflow URI: extras are query text ('true', not true)."""
        from urllib.parse import quote

        return (f"smtp://{self.login}:{quote(self.password, safe='')}@127.0.0.1:{self.port}"
                f"?from_email={quote(from_email, safe='')}&disable_ssl=true")

    def connection_json(self, from_email: str) -> str:
        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port, "login": self.login,
                           "password": self.password,
                           "extra": {"from_email": from_email, "disable_ssl": True}})  # STARTTLS on


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

    def __enter__(self) -> WebhookServer:
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


class ExportEndpoint:
    """The platform's export endpoint: serves `root` over HTTP to a bearer token only, honours
    `Range: bytes=N-`, and on the first request of each file in `cut` sends half the body (with the
    full Content-Length) and drops the connection."""

    def __init__(self, root, token: str, cut: set[str] = frozenset()):
        self.requests: list[dict] = []
        self.cut = set(cut)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                from urllib.parse import unquote

                path = root / unquote(urlsplit(self.path).path).lstrip("/")
                outer.requests.append({"name": path.name, "range": self.headers.get("Range"),
                                       "authorized": self.headers.get("Authorization") == f"Bearer {token}"})
                if not outer.requests[-1]["authorized"]:
                    return self._answer(401, b"token required")
                if not path.is_file():
                    return self._answer(404, b"not found")
                data = path.read_bytes()
                start = int(self.headers["Range"].split("=")[1].rstrip("-")) if self.headers.get("Range") else 0
                if start >= len(data) and start:
                    return self._answer(416, b"")
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                if path.name in outer.cut:
                    outer.cut.discard(path.name)
                    outer.requests[-1]["sent_before_cut"] = len(data) // 2
                    self.wfile.write(data[start:len(data) // 2])
                    self.close_connection = True
                    return
                self.wfile.write(data[start:])

            def _answer(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def __enter__(self) -> ExportEndpoint:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def connection_json(self, token: str) -> str:
        return json.dumps({"conn_type": "http", "host": f"http://127.0.0.1:{self.port}", "password": token})


class SftpDropServer:
    """An SFTP server (asyncssh) on loopback serving `root`, with a password login. On the first
    read at or past half of each file in `cut`, it aborts the SSH connection."""

    def __init__(self, root, login: str, password: str, cut: set[str] = frozenset()):
        import asyncssh

        self.root, self.login, self.password = root, login, password
        self.cut = set(cut)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.reads: list[tuple[int, str, int]] = []  # (session number, file name, offset)
        self.sessions = 0

    def _sftp_factory(self, chan):
        from pathlib import Path

        import asyncssh

        outer = self
        outer.sessions += 1
        session = outer.sessions

        class CuttingSFTPServer(asyncssh.SFTPServer):
            def read(self, file_obj, offset, size):
                local = Path(os.fsdecode(file_obj.name))
                outer.reads.append((session, local.name, offset))
                if local.name in outer.cut and offset >= local.stat().st_size // 2:
                    outer.cut.discard(local.name)
                    self.channel.get_connection().abort()
                    raise asyncssh.SFTPFailure("connection cut")
                return super().read(file_obj, offset, size)

        return CuttingSFTPServer(chan, chroot=str(self.root))

    def __enter__(self) -> SftpDropServer:
        import asyncio

        import asyncssh

        outer = self

        class PasswordServer(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                return (username, password) == (outer.login, outer.password)

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        async def listen():
            return await asyncssh.listen("127.0.0.1", 0, server_host_keys=[self.host_key],
                                         server_factory=PasswordServer, sftp_factory=self._sftp_factory)

        self.acceptor = asyncio.run_coroutine_threadsafe(listen(), self.loop).result(30)
        self.port = self.acceptor.get_port()
        return self

    def __exit__(self, *exc):
        import asyncio

        async def stop():
            self.acceptor.close()
            await self.acceptor.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def connection_json(self, password: str) -> str:
        public = self.host_key.export_public_key().decode().strip()
        return json.dumps({"conn_type": "sftp", "host": "127.0.0.1", "port": self.port, "login": self.login,
                           "password": password, "extra": {"host_key": public}})


# The PostgreSQL server the tests use (127.0.0.1:5432, trust auth, as CI and this machine run it).
POSTGRES = {"host": os.environ.get("GRIDPULSE_PG_HOST", "127.0.0.1"), "port": int(os.environ.get("GRIDPULSE_PG_PORT", "5432")),
            "user": os.environ.get("GRIDPULSE_PG_USER", "postgres"), "password": os.environ.get("GRIDPULSE_PG_PASSWORD", "")}


@contextmanager
def scratch_database(prefix: str):
    """A fresh database named `<prefix>_<random>` on that server, dropped after, with any sessions
    still open on it (an Airflow component that has not yet let go)."""
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **POSTGRES)
    admin.autocommit = True
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def airflow_metadata_url(database: str) -> str:
    """The SQLAlchemy URL Airflow's metadata database setting takes for a database on that server."""
    return f"postgresql+psycopg2://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{database}"
