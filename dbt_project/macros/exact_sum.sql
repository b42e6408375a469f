{# A sum that is the same in every run. A float sum depends on the order the rows arrive in,
   which a parallel engine does not fix (68.05 one run, 68.05000000000001 the next), and a month
   re-run must give the same marts byte for byte; a decimal sum is exact in any order. Nine
   decimals hold every measure summed here (counts, populations in 10,000s, km, points). #}
{% macro exact_sum(value) -%}
    sum(cast({{ value }} as decimal(38, 9)))
{%- endmacro %}
