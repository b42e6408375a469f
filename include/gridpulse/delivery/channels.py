"""Which delivery and alert channels are on: a channel is on when its Airflow connection exists.

delivery.yml and alerts.yml name the connections (SMTP, DingTalk and WeCom robots); a channel whose
connection is not defined is skipped with its reason, never retried (docs/operations.md, Delivery).
"""
from __future__ import annotations

from gridpulse.connections import defined
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
    """One line per channel: on (connection found) or off (and which connection to create)."""
    lines = []
    for what, channel, conn_id in channels():
        state = "on" if defined(conn_id) else f"off: no connection `{conn_id}` (未配置，跳过)"
        lines.append(f"  {what:8} {channel:8} {conn_id:24} {state}")
    return "\n".join(lines)
