"""Great Expectations' SQL data source on a DuckDB file, without patching GX.

GX runs each query inside `with engine.connect()` and reads its result after the block; closing
the connection rolls back, and DuckDB drops a pending result set on rollback, so every metric
would come back empty (an IndexError deep in GX). This dialect fetches each result whole when it
executes, before the connection closes. It is registered under its own name, `duckdb+buffered`,
so nothing else that uses duckdb-engine changes.

Validation's database lives in memory in this process; GX reaches it through a cursor
(`cursor_for_gx`), so GX checks the very tables validation built, with no copy to disk.
"""
from __future__ import annotations

import duckdb
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


# The URL GX is given for a database this process already holds open; the engine's `creator`
# hands it a cursor on that database instead of opening one.
IN_PROCESS = "duckdb+buffered:///:memory:"


def cursor_for_gx(con: duckdb.DuckDBPyConnection):
    """A DB-API connection on `con`'s database, wrapped as duckdb-engine wraps its own."""
    return duckdb_engine.ConnectionWrapper(con.cursor())
