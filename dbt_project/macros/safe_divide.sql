{# numerator / denominator, NULL where the denominator is zero: a rate of nothing is undefined,
   and the scheme says what score an undefined value gets. #}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_float() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}
