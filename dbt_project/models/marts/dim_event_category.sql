-- Event categories (事件类别) as the platform names them, with whether the platform counts the
-- category as a safety hazard (安全隐患), which the hazard indicators rest on. The export carries
-- the flag on every event; assert_hazard_flag_is_one_per_category checks it never differs within
-- a category, so the flag of the latest month is the category's.
{{ config(unique_key='category') }}
with by_month as (
    select
        period,
        category,
        bool_or(is_safety_hazard) as is_safety_hazard,
        count(*) as events
    from {{ ref('stg_events') }}
    group by period, category
),

{{ latest_month_per_key('by_month', 'category') }}

select
    category,
    is_safety_hazard,
    cast(events as {{ dbt.type_bigint() }}) as events_last_seen_period,
    period as last_seen_period
from latest
