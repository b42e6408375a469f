-- Org units as of the latest month they appear in.
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
