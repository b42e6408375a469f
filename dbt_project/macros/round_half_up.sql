{# The one rounding policy: half up at the printed decimals. The tiny epsilon keeps values that
   are exactly halfway in decimal (2.675, 19.45) from rounding down because binary floating point
   stores them a hair below. Scores are never negative. #}
{% macro round_half_up(value, decimals) -%}
    (floor(({{ value }}) * power(10, {{ decimals }}) + 0.5 + 1e-9) / power(10, {{ decimals }}))
{%- endmacro %}
