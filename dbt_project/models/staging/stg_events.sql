-- 事件.
with source as (
    select * from {{ source('raw', 'events') }}
    where {{ in_this_month() }}
)

select
    period,
    event_id,
    reported_at,
    reporter_id,
    reporter_role,
    org_id,
    category,
    is_safety_hazard,
    is_valid,
    invalid_reason,
    due_at,
    closed_at,
    is_carried_over,
    quality_rating,
    export_id
from source
