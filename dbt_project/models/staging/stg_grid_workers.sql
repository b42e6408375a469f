-- 网格员. Personal columns stay in raw: worker_name, phone, id_number.
with source as (
    select * from {{ source('raw', 'grid_workers') }}
)

select
    period,
    worker_id,
    grid_id,
    active_from,
    active_to,
    export_id
from source
