{# A monthly run passes the month it assesses (`dbt build --vars '{period: 2022-11}'`): staging
   then reads only that month from raw, incremental marts replace only that month's rows, and
   tests check only that month, so a run's cost follows the month, not the history. Without the
   variable (a full rebuild, the PostgreSQL twin) every month is read. #}
{% macro this_month() -%}
    {{ return(var('period', none)) }}
{%- endmacro %}

{# A condition on `column` that holds for the month being run, or always without one. #}
{% macro in_this_month(column='period') -%}
    {%- if this_month() -%}
        {{ column }} = '{{ this_month() }}'
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{# dbt's generic tests read a model through this macro; tests of a relation that has a period
   column check only the month being run (with the test's own `where`, if it has one). #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set conditions = [where] if where else [] -%}
    {%- if this_month() and execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if 'period' in names -%}
            {%- do conditions.append(in_this_month()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
