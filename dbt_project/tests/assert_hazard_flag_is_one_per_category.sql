-- dim_event_category takes a category's hazard flag from its events: the platform must flag every
-- event of a category alike in a month, or the flag (and the hazard indicators) would depend on
-- which events happened to come.
select period, category
from {{ ref('stg_events') }}
group by period, category
having count(distinct is_safety_hazard) > 1
