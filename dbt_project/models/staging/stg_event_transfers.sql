-- 事件流转.
with source as (
    select * from {{ source('raw', 'event_transfers') }}
    where {{ in_this_month() }}
)

select
    period,
    transfer_id,
    event_id,
    from_org_id,
    to_org_id,
    transferred_at,
    export_id
from source
