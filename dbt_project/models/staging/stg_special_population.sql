-- 特殊人群. Personal columns stay in raw: person_name, id_number, guardian_phone.
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
