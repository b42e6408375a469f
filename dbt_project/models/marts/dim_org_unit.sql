-- Org units as of the latest month they appear in. A monthly run sees only its own month, so the
-- units it brings replace their rows unless a later month already holds them.
{{ config(unique_key='org_id') }}
with ranked as (
    select
        *,
        row_number() over (partition by org_id order by period desc) as recency
    from {{ ref('int_org_hierarchy') }}
)

select
    org_id,
    org_name,
    org_level,
    parent_org_id,
    population,
    township_id,
    has_centre,
    period as last_seen_period
from ranked
where recency = 1
{% if is_incremental() %}
    and not exists (
        select 1 from {{ this }} as known
        where known.org_id = ranked.org_id and known.last_seen_period > ranked.period
    )
{% endif %}
