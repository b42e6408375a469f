-- 巡查记录.
with source as (
    select * from {{ source('raw', 'patrols') }}
    where {{ in_this_month() }}
)

select
    period,
    patrol_id,
    worker_id,
    started_at,
    ended_at,
    distance_km,
    export_id
from source
