"""dbt's cross-database macros as sqlfluff's jinja templater sees them (`{{ dbt.type_bigint() }}`).

sqlfluff lints the SQL with the jinja templater and dbt's builtins (ref, source, config, var,
is_incremental), not the dbt templater (.sqlfluff says why); these stand in for the few dbt.*
macros the models call, rendering what dbt-duckdb renders, so the linted SQL is the SQL run.
"""


def type_bigint() -> str:
    return "bigint"


def dateadd(datepart: str, interval, from_date_or_timestamp: str) -> str:
    return f"{from_date_or_timestamp} + (interval '{interval} {datepart}')"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp)"


def listagg(measure: str, delimiter_text: str = "','", order_by_clause: str | None = None, limit_num=None) -> str:
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"
