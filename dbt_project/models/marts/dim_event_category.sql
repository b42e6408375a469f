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

ranked as (
    select
        *,
        row_number() over (partition by category order by period desc) as recency
    from by_month
)

select
    category,
    is_safety_hazard,
    cast(events as {{ dbt.type_bigint() }}) as events_last_seen_period,
    period as last_seen_period
from ranked
where recency = 1
{% if is_incremental() %}
    and not exists (
        select 1 from {{ this }} as known
        where known.category = ranked.category and known.last_seen_period > ranked.period
    )
{% endif %}
