-- Days of each loaded month with the official workday flag.
select period, day, is_workday
from {{ source('raw', 'calendar_days') }}
where {{ in_this_month() }}
