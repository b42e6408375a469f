"""Which delivery and alert channels are on: a channel is on when its Airflow connection exists.

delivery.yml and alerts.yml name the connections (SMTP, DingTalk and WeCom robots); a channel whose
connection is not defined is skipped with its reason, never retried (docs/operations.md, Delivery).
"""
from __future__ import annotations

from gridpulse.connections import located
from gridpulse.delivery import settings


def channels() -> list[tuple[str, str, str]]:
    """(what, channel, connection id) of every channel the settings name, each once."""
    delivery, alerts = settings.delivery(), settings.alerts()
    named = [("bulletin", "email", delivery["smtp_connection"])]
    named += [("bulletin", kind, conn_id) for org in delivery["orgs"].values()
              for kind in ("dingtalk", "wecom") for conn_id in org.get(kind) or []]
    if alerts.get("email"):
        named.append(("alerts", "email", delivery["smtp_connection"]))
    named += [("alerts", kind, conn_id) for kind in ("dingtalk", "wecom") for conn_id in alerts.get(kind) or []]
    return list(dict.fromkeys(named))


def summary() -> str:
    """One line per channel, and the export source's when it is remote: on (where its connection
    was found, and its address) or off (and which connection to create)."""
    from gridpulse.sources.configured import remote_connection

    source = remote_connection()
    named = channels() + ([("export", *source)] if source else [])
    return "\n".join(f"  {what:8} {channel:8} {conn_id:24} {_state(conn_id)}" for what, channel, conn_id in named)


def _state(conn_id: str) -> str:
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn, where = located(conn_id)
    except AirflowNotFoundException:
        return f"off: no connection `{conn_id}` (未配置，跳过)"
    address = f"{conn.host or ''}{f':{conn.port}' if conn.port else ''}" or "default host"
    return f"on: {where}; {address}" + (f", login {conn.login}" if conn.login else "")
