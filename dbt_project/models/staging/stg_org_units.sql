-- 组织机构.
with source as (
    select * from {{ source('raw', 'org_units') }}
    where {{ in_this_month() }}
)

select
    period,
    org_id,
    org_name,
    org_level,
    parent_org_id,
    population,
    has_centre,
    export_id
from source
