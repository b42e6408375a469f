-- 矛盾纠纷.
with source as (
    select * from {{ source('raw', 'disputes') }}
    where {{ in_this_month() }}
)

select
    period,
    dispute_id,
    org_id,
    found_level,
    reported_at,
    is_resolved,
    export_id
from source
