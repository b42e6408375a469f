-- 网格员. Personal columns stay in raw: worker_name, phone, id_number.
with source as (
    select * from {{ source('raw', 'grid_workers') }}
    where {{ in_this_month() }}
)

select
    period,
    worker_id,
    grid_id,
    active_from,
    active_to,
    export_id
from source
