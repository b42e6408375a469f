{# The final select of a per-unit counts model: every row of `units` (a CTE with period and `key`)
   with the count columns of each CTE in `counts` (name -> its columns, in output order), joined on
   period and `key`, 0 where a unit has no row in that CTE. #}
{% macro unit_counts(units, key, counts) -%}
select
    {{ units }}.*,
    {%- for relation, columns in counts.items() %}
    {%- set last_relation = loop.last %}
    {%- for column in columns %}
    coalesce({{ relation }}.{{ column }}, 0) as {{ column }}{{ "" if last_relation and loop.last else "," }}
    {%- endfor %}
    {%- endfor %}
from {{ units }}
{%- for relation in counts %}
left join {{ relation }}
    on {{ units }}.period = {{ relation }}.period and {{ units }}.{{ key }} = {{ relation }}.{{ key }}
{%- endfor %}
{%- endmacro %}
