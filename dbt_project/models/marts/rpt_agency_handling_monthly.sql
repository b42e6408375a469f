-- Per month and dispatched agency (派驻机构): events transferred to it (流转数), the distinct events
-- it handled (办理数), those closed by the month's end (结案数) and the closure rate, as the bulletin
-- prints them. The counts are fct_agency_monthly's (one place computes them); an agency that
-- received nothing has zeros and no rate (the bulletin prints '/').
select
    period,
    agency_id,
    agency_name,
    events_handled,
    transfers,
    events_closed,
    {{ safe_divide('events_closed', 'events_handled') }} as closure_rate,
    district_id
from {{ ref('fct_agency_monthly') }}
