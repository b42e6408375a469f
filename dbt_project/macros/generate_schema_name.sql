{# Models land in the schema their layer names (staging, intermediate, marts), not in
   "<target schema>_<layer>": analysts query marts.* whatever the target. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
