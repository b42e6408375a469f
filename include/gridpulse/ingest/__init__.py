"""Ingestion: an export's files read into DuckDB landing tables and typed there, below both the
validate and the load steps (validate checks the typed tables; load inserts them into raw)."""
