-- 特殊人群. raw holds no personal column: names, ID numbers and phones are split off at load (restricted store).
with source as (
    select * from {{ source('raw', 'special_population') }}
    where {{ in_this_month() }}
)

select
    period,
    person_id,
    person_type,
    worker_id,
    export_id
from source
