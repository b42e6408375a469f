{# A monthly run names the month it assesses in GRIDPULSE_DBT_PERIOD (`GRIDPULSE_DBT_PERIOD=2022-11
   dbt build`; transform/dbt.py sets it): staging then reads only that month from raw, incremental
   marts replace only that month's rows, and tests check only that month, so a run's cost follows the
   month, not the history. Without it (a full rebuild, the PostgreSQL twin) every month is read.

   The month is read only while dbt runs, never while it parses: the parse is then the same for
   every month and dbt reuses it (partial parsing). A month passed as `--vars` made dbt parse the
   whole project again on every new month (8 s of a demo district's 30 s build). #}
{% macro this_month() -%}
    {%- if execute -%}
        {{ return(env_var('GRIDPULSE_DBT_PERIOD', '') or none) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{# A condition on `column` that holds for the month being run, or always without one. #}
{% macro in_this_month(column='period') -%}
    {%- if this_month() -%}
        {{ column }} = '{{ this_month() }}'
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{# A test's `where` that names THIS_MONTH (`last_seen_period = THIS_MONTH`) with the month being run
   in its place; without a month the test reads every row (the `where` becomes 1 = 1). A `where` is
   fixed when dbt parses, before the month is known. #}
{% macro month_in_where(where) -%}
    {%- if 'THIS_MONTH' not in where -%}
        {{ return(where) }}
    {%- elif this_month() -%}
        {{ return(where | replace('THIS_MONTH', "'" ~ this_month() ~ "'")) }}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}

{# dbt's generic tests read a model through this macro; tests of a relation that has a period
   column check only the month being run (with the test's own `where`, if it has one). #}
{% macro get_where_subquery(relation) -%}
    {%- set where = month_in_where(config.get('where') or '') -%}
    {%- set conditions = [where] if where else [] -%}
    {%- if this_month() and execute -%}
        {%- if has_period_column(relation) -%}
            {%- do conditions.append(in_this_month()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{# Whether `relation` has a period column: from the columns its model's YAML documents (every mart's
   columns are, tests/test_analyst_tools.py), else from the database. Asking the database for each
   of a month's 140-odd tests took a sixth of a small district's dbt build in dbt's own Python. #}
{% macro has_period_column(relation) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.columns
            and node.alias == relation.identifier and node.schema == relation.schema -%}
        {{ return('period' in node.columns) }}
    {%- endfor -%}
    {{ return('period' in adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}
