-- Org units as of the latest month they appear in. A monthly run sees only its own month, so the
-- units it brings replace their rows unless a later month already holds them.
{{ config(unique_key='org_id') }}
with {{ latest_month_per_key(ref('int_org_hierarchy'), 'org_id') }}

select
    org_id,
    org_name,
    org_level,
    parent_org_id,
    population,
    township_id,
    has_centre,
    period as last_seen_period,
    district_id
from latest
