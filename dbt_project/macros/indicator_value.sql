{# The rows of `relation` (an indicator's numerator and denominator, with what identifies them) and
   the indicator's value: the one place an indicator is divided, for every level. #}
{% macro with_indicator_value(relation) -%}
    select
        *,
        {{ safe_divide('numerator', 'denominator') }} as value
    from {{ relation }}
{%- endmacro %}
