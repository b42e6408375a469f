{# Two CTEs, `ranked` and `latest`: the rows of `relation` (one per key and month, with a period
   column) as of the latest month each key appears in. A monthly run sees only its own month, so
   in an incremental run the rows it brings replace a key's row unless a later month already
   holds it (the dimension's last_seen_period). Use as `with {{ latest_month_per_key(...) }}
   select ..., period as last_seen_period from latest`. #}
{% macro latest_month_per_key(relation, key) -%}
ranked as (
    select
        *,
        row_number() over (partition by {{ key }} order by period desc) as recency
    from {{ relation }}
),

latest as (
    select * from ranked
    where
        recency = 1
        {% if is_incremental() -%}
        and not exists (
            select 1 from {{ this }} as known
            where known.{{ key }} = ranked.{{ key }} and known.last_seen_period > ranked.period
        )
        {%- endif %}
)
{%- endmacro %}
