"""Airflow connections, resolved the same way inside a task and outside one (CLI, tests).

Outside a task, airflow.sdk's Connection.get reads the secrets backends: AIRFLOW_CONN_<ID> in the
environment (as a URI or JSON) first, then the metadata database.
"""
from __future__ import annotations


def connection(conn_id: str):
    from airflow.sdk import Connection

    return Connection.get(conn_id)


def defined(conn_id: str) -> bool:
    """Whether the connection exists (environment or metadata DB): a channel without one is off."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def flag(value) -> bool:
    """An extra's boolean: JSON gives true/false, a URI's query gives the text 'true'/'false'."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def base_url(conn, default_host: str) -> str:
    """The scheme://host[:port] of a webhook connection, as Airflow's HTTP connections spell it:
    a host with '://' is taken whole, else `schema` (default https) names the scheme."""
    host = (conn.host or default_host).rstrip("/")
    if "://" not in host:
        host = f"{conn.schema or 'https'}://{host}"
    return f"{host}:{conn.port}" if conn.port else host
