-- 网格员. raw holds no personal column: names, phones and ID numbers are split off at load (restricted store).
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
