"""Keyed pseudonyms for personal values a district needs as a join key.

No column is one today: every join is on the platform's own ids, none of them an ID number. A
contract column marked `pseudonymised: true` (it is personal too) reaches raw only as
HMAC-SHA256(key, value) in hex; the value itself goes to the restricted store with the other
personal columns. The key comes from the environment (GRIDPULSE_PSEUDONYM_KEY), never from the
repository, so the pseudonyms cannot be recomputed from a guessed ID number without it. The HMAC
is computed in SQL (DuckDB's sha256 over the RFC 2104 pads), so no row passes through Python.
"""
from __future__ import annotations

import os

from gridpulse.contract import Table

KEY_VARIABLE = "GRIDPULSE_PSEUDONYM_KEY"
BLOCK = 64  # SHA-256's block size in bytes


class MissingPseudonymKey(Exception):
    pass


def pseudonym_key() -> bytes:
    key = os.environ.get(KEY_VARIABLE, "")
    if not key:
        raise MissingPseudonymKey(
            f"导出规范中有需化名的列，但未设置密钥 {KEY_VARIABLE} (a column is pseudonymised: set {KEY_VARIABLE})")
    return key.encode("utf-8")


def _blob(data: bytes) -> str:
    return "'" + "".join(f"\\x{b:02x}" for b in data) + "'::BLOB"


def hmac_sql(value_sql: str, key: bytes) -> str:
    """SQL for the hex HMAC-SHA256 of a text value under `key` (NULL stays NULL)."""
    padded = key.ljust(BLOCK, b"\0") if len(key) <= BLOCK else key  # longer keys are not expected
    inner, outer = bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)
    return f"sha256({_blob(outer)} || unhex(sha256({_blob(inner)} || encode(CAST({value_sql} AS VARCHAR)))))"


def pseudonymised_select(table: Table, relation: str) -> str:
    """`*` of a relation with every pseudonymised column replaced by its HMAC."""
    columns = [c.name for c in table.columns.values() if c.pseudonymised]
    if not columns:
        return f"SELECT * FROM {relation}"
    key = pseudonym_key()
    replaced = ", ".join(f'{hmac_sql(f"{chr(34)}{c}{chr(34)}", key)} AS "{c}"' for c in columns)
    return f"SELECT * REPLACE ({replaced}) FROM {relation}"
