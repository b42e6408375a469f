{# numerator / denominator, NULL where the denominator is zero: a rate of nothing is undefined,
   and the scheme says what score an undefined value gets. Double precision, because dbt's
   type_float() is a 4-byte float on DuckDB and would print 13.22 % as 13.2200002 %. #}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0))
{%- endmacro %}
