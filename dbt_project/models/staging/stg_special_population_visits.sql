-- 特殊人群走访.
with source as (
    select * from {{ source('raw', 'special_population_visits') }}
    where {{ in_this_month() }}
)

select
    period,
    visit_id,
    person_id,
    worker_id,
    visited_at,
    export_id
from source
