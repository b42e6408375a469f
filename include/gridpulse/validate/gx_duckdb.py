"""Great Expectations' SQL data source on a DuckDB file, without patching GX.

GX runs each query inside `with engine.connect()` and reads its result after the block; closing
the connection rolls back, and DuckDB drops a pending result set on rollback, so every metric
would come back empty (an IndexError deep in GX). This dialect fetches each result whole when it
executes, before the connection closes. It is registered under its own name, `duckdb+buffered`,
so nothing else that uses duckdb-engine changes.
"""
from __future__ import annotations

from pathlib import Path

import duckdb_engine
from sqlalchemy.dialects import registry
from sqlalchemy.engine.cursor import FullyBufferedCursorFetchStrategy

DIALECT = "duckdb.buffered"


class BufferedExecutionContext(duckdb_engine.Dialect.execution_ctx_cls):
    def post_exec(self):
        super().post_exec()
        if self.cursor.description is not None:  # a statement that returns rows
            self.cursor_fetch_strategy = FullyBufferedCursorFetchStrategy(self.cursor)


class BufferedDuckDBDialect(duckdb_engine.Dialect):
    execution_ctx_cls = BufferedExecutionContext
    supports_statement_cache = True  # compiled statements are cached: nothing here changes compilation


registry.register(DIALECT, __name__, "BufferedDuckDBDialect")


def connection_string(database: Path) -> str:
    return f"duckdb+buffered:///{database}"
