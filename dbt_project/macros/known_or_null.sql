{# A column of an incremental model's existing rows, or NULL where the mart was built before the
   column was added (on_schema_change appends it only after this run's rows are computed). #}
{% macro known_or_null(known_columns, alias, column) -%}
    {%- if column in known_columns -%}{{ alias }}.{{ column }}{%- else -%}cast(null as varchar){%- endif %} as {{ column }}
{%- endmacro %}
