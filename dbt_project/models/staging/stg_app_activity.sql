-- 平安通在线情况.
with source as (
    select * from {{ source('raw', 'app_activity') }}
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
