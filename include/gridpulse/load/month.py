"""Load a validated export into raw, with the month's calendar, the schemes and the integrity signals,
in one transaction."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridpulse import config
from gridpulse.calendar import is_workday
from gridpulse.contract import tables
from gridpulse.ingest.staged import remove_staged, staged_for, table_file
from gridpulse.load.personal import replace_personal_month
from gridpulse.load.pseudonyms import pseudonymised_select
from gridpulse.load.raw import connect, replace_period, replace_period_from, replace_table, table_columns
from gridpulse.period import Period
from gridpulse.schemes import SCHEME_COLUMNS, scheme_frames
from gridpulse.signals import SIGNAL_COLUMNS, signal_frame
from gridpulse.sources.archive import received_files
from gridpulse.sources.manifest import read_manifest
from gridpulse.warehouse import owner

CALENDAR_COLUMNS = {"period": "VARCHAR", "day": "DATE", "is_workday": "BOOLEAN"}
PLATFORM_WORD_COLUMNS = {"word_kind": "VARCHAR", "word": "VARCHAR"}


def platform_words_frame() -> pd.DataFrame:
    """The platform's vocabulary as rows: the SQL reads a platform's words from here, never from
    its own text (a district on another platform files disputes under another word)."""
    vocabulary = config.platform_mapping().get("vocabulary") or {}
    rows = [{"word_kind": kind, "word": str(word)} for kind, words in vocabulary.items() for word in words]
    return pd.DataFrame(rows, columns=list(PLATFORM_WORD_COLUMNS))


def calendar_frame(period: Period) -> pd.DataFrame:
    days = period.days()
    return pd.DataFrame({"period": str(period), "day": pd.to_datetime(days), "is_workday": [is_workday(d) for d in days]})


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _lineage(archived: Path, period: str, export_id: str) -> dict[str, dict[str, str]]:
    """Per table, where its rows came from: the month, the export, the archived copy, and the
    sha256 its file had when it arrived."""
    received = received_files(archived)
    files = config.platform_mapping()["files"]
    return {name: {"period": period, "export_id": export_id, "archive_id": archived.name,
                   "source_sha256": received[files[name]["file"]]} for name in tables()}


def staged_relation(staged: Path, name: str) -> str:
    """SQL for one typed table of the staged month."""
    return f"read_parquet({_literal(str(table_file(staged, name)))})"


def _insert_month(con, staged: Path, archived: Path, period: str, export_id: str) -> dict[str, int]:
    """The month's tables into raw, from the typed tables validation staged."""
    lineage = _lineage(archived, period, export_id)
    return {name: replace_period_from(con, name, table_columns(table), period,
                                      f'(SELECT *, {_as_columns(lineage[name])} FROM ({pseudonymised_select(table, staged_relation(staged, name))}))')
            for name, table in tables().items()}


class NotValidated(Exception):
    """The load was asked for a month whose export has no sealed staged file."""


def _staged(archived: Path, period: str, export_id: str) -> Path:
    """The typed tables validation sealed for this export. The load never validates: the DAG and
    `run_month` always validate first, and a load started on its own (or after a crash that lost
    the staged file) is told to."""
    staged = staged_for(archived, export_id, period)
    if staged is None:
        raise NotValidated(
            f"{period} 导出 {export_id} 没有通过校验的暂存数据：请先运行校验 "
            f"(no validated staged data for {archived.name}: run `python -m gridpulse validate --period {period}` "
            "or the DAG's validate task first)")
    return staged


def _as_columns(values: dict[str, str]) -> str:
    return ", ".join(f'{_literal(value)} AS "{column}"' for column, value in values.items())


def load_export(archived: Path, month: Period, building: Path) -> dict[str, int]:
    """Replace the month in raw, in the building copy of the warehouse, by the archived export;
    return rows loaded per table."""
    period = str(month)
    calendar = calendar_frame(month)  # fails before the transaction if the year is unknown
    schemes = scheme_frames(config.scheme_ids())
    signals = signal_frame(config.profile().words())  # a bad signals file fails here, before anything is written
    export_id = str(read_manifest(archived, config.manifest_name())["export_id"])
    staged = _staged(archived, period, export_id)
    owner.check(building)  # another district's warehouse: refused before its restricted store is touched
    replace_personal_month(staged, period)  # names and numbers to the restricted store, not raw
    con = connect(building)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            owner.claim(con, building)  # recorded with the month: published with it, or discarded with it
            loaded = _insert_month(con, staged, archived, period, export_id)
            replace_period(con, "calendar_days", CALENDAR_COLUMNS, period, calendar)
            for name, frame in schemes.items():
                replace_table(con, name, SCHEME_COLUMNS[name], frame)
            replace_table(con, "platform_words", PLATFORM_WORD_COLUMNS, platform_words_frame())
            replace_table(con, "integrity_signals", SIGNAL_COLUMNS, signals)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    remove_staged(archived)  # personal data lives on in the restricted store alone
    return loaded
