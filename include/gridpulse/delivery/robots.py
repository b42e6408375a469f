"""Group robots: DingTalk (signed webhook) and WeCom (webhook key), markdown messages.

Each robot is an Airflow connection: `password` holds the DingTalk access_token or the WeCom key,
`extra.secret` the DingTalk signing secret (SEC...), `host` (default: the vendor's) and `port`/
`schema` where the robot's server is elsewhere. Posted with httpx, which Airflow itself uses; the
Airflow DingTalk provider was not used because its hook does not sign requests.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx

from gridpulse.connections import base_url, connection


class RobotRefused(RuntimeError):
    """The robot's server answered, and did not take the message: it was not delivered."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(conn, conf: dict, timestamp_ms: int | None = None) -> str:
    url = f"{base_url(conn, conf['dingtalk_host'])}{conf['dingtalk_path']}?access_token={quote_plus(conn.password or '')}"
    secret = conn.extra_dejson.get("secret")
    if secret:
        timestamp_ms = timestamp_ms or int(time.time() * 1000)
        url += f"&timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"
    return url


def wecom_url(conn, conf: dict) -> str:
    return f"{base_url(conn, conf['wecom_host'])}{conf['wecom_path']}?key={quote_plus(conn.password or '')}"


def payload(kind: str, title: str, markdown: str) -> dict:
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def post(kind: str, conn_id: str, title: str, markdown: str, conf: dict) -> str:
    """Post one markdown message; return the server's answer, raise RobotRefused if it said no."""
    conn = connection(conn_id)
    url = dingtalk_url(conn, conf) if kind == "dingtalk" else wecom_url(conn, conf)
    response = httpx.post(url, json=payload(kind, title, markdown), timeout=float(conf["timeout_seconds"]))
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    # both robots answer HTTP 200 with errcode 0 when they took the message
    if response.status_code != 200 or answer.get("errcode") != 0:
        raise RobotRefused(f"{kind} robot {conn_id}: HTTP {response.status_code} {response.text[:300]}")
    return response.text[:300]
