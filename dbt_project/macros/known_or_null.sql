{# A column of an incremental model's existing rows ({{ this }}), or NULL where the mart was built
   before the column was added: on_schema_change appends it only after this run's rows are computed. #}
{% macro known_or_null(alias, column) -%}
    {%- set known = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list if execute else [column] -%}
    {%- if column in known -%}{{ alias }}.{{ column }}{%- else -%}cast(null as varchar){%- endif %} as {{ column }}
{%- endmacro %}
