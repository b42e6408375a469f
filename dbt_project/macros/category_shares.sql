{# The columns of a category table after its unit's columns: the category's events in a unit
   (the rows of by_unit: period, org_id, category, events), the unit's events, the category's
   share of them and its rank in the unit (ties share a rank). #}
{% macro category_share_columns() -%}
    cast(events as {{ dbt.type_bigint() }}) as events,
    cast(sum(events) over (partition by period, org_id) as {{ dbt.type_bigint() }}) as unit_events,
    {{ safe_divide('events', 'sum(events) over (partition by period, org_id)') }} as share_of_events,
    rank() over (partition by period, org_id order by events desc) as category_rank
{%- endmacro %}
