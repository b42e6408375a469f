-- 附加分.
with source as (
    select * from {{ source('raw', 'score_adjustments') }}
    where {{ in_this_month() }}
)

select
    period,
    adjustment_id,
    scheme_id,
    org_id,
    points,
    reason,
    export_id
from source
