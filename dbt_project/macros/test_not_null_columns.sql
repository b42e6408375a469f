{# Every listed column holds a value in every row: one scan of the model for all of them, where a
   not_null test per column scanned it once per column and was a node of its own in each month's
   build (most of a small district's build is dbt's work per node). Returns a row per column that
   has empty rows: the column's name and how many (transform/failures.py names them in the report). #}
{% test not_null_columns(model, columns) %}
with counted as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{% for column in columns %}
select '{{ column }}' as column_name, {{ column }} as null_rows from counted where {{ column }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}
{% endtest %}
