-- 平安通在线情况.
with source as (
    select * from {{ source('raw', 'app_activity') }}
    where {{ in_this_month() }}
)

select
    period,
    worker_id,
    activity_date,
    is_online,
    online_minutes,
    distance_km,
    export_id
from source
