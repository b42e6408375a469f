-- One row per loaded month: its bounds and number of workdays.
select
    period,
    min(day) as first_day,
    max(day) as last_day,
    {{ dbt.dateadd('day', 1, 'max(day)') }} as month_end,
    sum(case when is_workday then 1 else 0 end) as workdays
from {{ ref('stg_calendar_days') }}
group by period
