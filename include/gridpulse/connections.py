"""Airflow connections, resolved the same way inside a task and outside one (CLI, `make airflow`, tests).

Inside a task, the task SDK asks its own chain (environment, a configured secrets backend, then
the API server for the metadata database). Outside one the SDK reads only the environment and a
secrets backend, so a connection added with `airflow connections add` (or in the UI) would be
missing from the CLI: there, Airflow's full chain is asked instead, in its order: a secrets
backend ([secrets] backend), `AIRFLOW_CONN_<ID>` (a URI or JSON), then the metadata database of
AIRFLOW_HOME. `python -m gridpulse connections` lists what each channel finds where.
"""
from __future__ import annotations

import sys


def in_task() -> bool:
    """Whether this process is a task's (the task SDK's supervisor channel is open)."""
    runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    return getattr(runner, "SUPERVISOR_COMMS", None) is not None


def located(conn_id: str):
    """(the connection, where it was found); raises AirflowNotFoundException when nowhere."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    if in_task():
        from airflow.sdk import Connection

        return Connection.get(conn_id), "the task's Airflow"
    from airflow.configuration import ensure_secrets_loaded

    unreadable = []
    for backend in ensure_secrets_loaded():
        try:
            conn = backend.get_connection(conn_id=conn_id)
        except Exception as error:  # e.g. a metadata DB not created yet: the next place may have it
            unreadable.append(f"{_where(backend, conn_id)}: {type(error).__name__}")
            continue
        if conn:
            return conn, _where(backend, conn_id)
    unread = f"; could not read {'; '.join(unreadable)}" if unreadable else ""
    raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined (looked in {_chain()}{unread})")


def connection(conn_id: str):
    return located(conn_id)[0]


def defined(conn_id: str) -> bool:
    """Whether the connection exists (secrets backend, environment, metadata DB): a channel without one is off."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def _where(backend, conn_id: str) -> str:
    kind = type(backend).__name__
    if kind == "EnvironmentVariablesBackend":
        return f"environment AIRFLOW_CONN_{conn_id.upper()}"
    if kind == "MetastoreBackend":
        return f"Airflow database ({_metadata_db()})"
    return f"secrets backend {kind}"


def _chain() -> str:
    from airflow.configuration import ensure_secrets_loaded

    return ", ".join(_where(backend, "<ID>") for backend in ensure_secrets_loaded())


def _metadata_db() -> str:
    """The metadata DB's address without its password, and the AIRFLOW_HOME it belongs to."""
    import os

    from airflow.configuration import conf
    from sqlalchemy.engine import make_url

    url = make_url(conf.get("database", "sql_alchemy_conn")).render_as_string(hide_password=True)
    return f"{url}, AIRFLOW_HOME={os.environ.get('AIRFLOW_HOME', '~/airflow')}"


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
