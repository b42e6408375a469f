"""What the DAG files need from the project, kept light: DAG files are parsed constantly, so
nothing here imports pandas, DuckDB, dbt or Great Expectations at module level."""
