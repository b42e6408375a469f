-- Per month and township, the activity figures of section 一 beside the counts they come from:
-- attendance, admin logins, events reported, valid, invalid, overdue and carried over, reports
-- per worker, volunteer-app events, quality events, disputes. None depends on a scheme; figures
-- that need a scheme's threshold (workers with >= 20 events, patrol compliance) are in
-- fct_indicator_monthly with their numerator and denominator.
with townships as (
    select * from {{ ref('int_township_monthly') }}
),

workers as (
    select
        period,
        township_id,
        sum(case when days_online > 0 then 1 else 0 end) as workers_online,
        sum(events_reported) as worker_events
    from {{ ref('int_worker_monthly') }}
    group by period, township_id
),

events as (
    select
        period,
        township_id,
        sum(case when not is_carried_over and not is_valid then 1 else 0 end) as invalid_events,
        sum(case when is_carried_over then 1 else 0 end) as carried_over_events,
        sum(case when not is_carried_over and is_valid and reporter_role = 'volunteer' then 1 else 0 end) as volunteer_events,
        sum(case when not is_carried_over and is_valid and reporter_role = 'volunteer' and is_closed then 1 else 0 end)
            as volunteer_events_closed,
        sum(case when quality_rating is not null then 1 else 0 end) as quality_nominated_events,
        sum(case when quality_rating = 'city_best' then 1 else 0 end) as quality_best_events
    from {{ ref('int_event_status') }}
    group by period, township_id
),

admin_accounts as (
    -- every township and village unit has one admin account
    select period, township_id, count(*) as admin_accounts
    from {{ ref('int_org_hierarchy') }}
    where org_level in ('township', 'village')
    group by period, township_id
),

admin_logins as (
    select logins.period, hierarchy.township_id, count(*) as admin_login_days
    from {{ ref('stg_admin_logins') }} as logins
    inner join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = logins.period and hierarchy.org_id = logins.org_id
    inner join {{ ref('stg_calendar_days') }} as calendar
        on calendar.period = logins.period and calendar.day = logins.login_date and calendar.is_workday
    group by logins.period, hierarchy.township_id
),

disputes as (
    select disputes.period, hierarchy.township_id, sum(case when disputes.is_resolved then 1 else 0 end) as disputes_resolved
    from {{ ref('stg_disputes') }} as disputes
    inner join {{ ref('int_org_hierarchy') }} as hierarchy
        on hierarchy.period = disputes.period and hierarchy.org_id = disputes.org_id
    group by disputes.period, hierarchy.township_id
),

counts as (
    select
        townships.period,
        townships.township_id,
        townships.org_name,
        townships.district_id,
        townships.workers as grid_workers,
        coalesce(workers.workers_online, 0) as workers_online,
        coalesce(admin_accounts.admin_accounts, 0) as admin_accounts,
        months.workdays,
        coalesce(admin_logins.admin_login_days, 0) as admin_login_days,
        townships.new_events as events_reported,
        townships.new_valid_events as valid_events,
        coalesce(events.invalid_events, 0) as invalid_events,
        townships.overdue_valid_events as overdue_events,
        coalesce(events.carried_over_events, 0) as carried_over_events,
        coalesce(workers.worker_events, 0) as worker_events,
        coalesce(events.volunteer_events, 0) as volunteer_events,
        coalesce(events.volunteer_events_closed, 0) as volunteer_events_closed,
        coalesce(events.quality_nominated_events, 0) as quality_nominated_events,
        coalesce(events.quality_best_events, 0) as quality_best_events,
        townships.disputes,
        coalesce(disputes.disputes_resolved, 0) as disputes_resolved,
        townships.special_population,
        townships.special_population_visited
    from townships
    inner join {{ ref('int_months') }} as months on months.period = townships.period
    left join workers on workers.period = townships.period and workers.township_id = townships.township_id
    left join events on events.period = townships.period and events.township_id = townships.township_id
    left join admin_accounts on admin_accounts.period = townships.period and admin_accounts.township_id = townships.township_id
    left join admin_logins on admin_logins.period = townships.period and admin_logins.township_id = townships.township_id
    left join disputes on disputes.period = townships.period and disputes.township_id = townships.township_id
)

select
    counts.period,
    counts.township_id,
    counts.org_name,
    cast(counts.grid_workers as {{ dbt.type_bigint() }}) as grid_workers,
    cast(counts.workers_online as {{ dbt.type_bigint() }}) as workers_online,
    cast(counts.admin_accounts as {{ dbt.type_bigint() }}) as admin_accounts,
    cast(counts.workdays as {{ dbt.type_bigint() }}) as workdays,
    cast(counts.admin_login_days as {{ dbt.type_bigint() }}) as admin_login_days,
    cast(counts.admin_accounts * counts.workdays as {{ dbt.type_bigint() }}) as admin_account_workdays,
    cast(counts.events_reported as {{ dbt.type_bigint() }}) as events_reported,
    cast(counts.valid_events as {{ dbt.type_bigint() }}) as valid_events,
    cast(counts.invalid_events as {{ dbt.type_bigint() }}) as invalid_events,
    cast(counts.overdue_events as {{ dbt.type_bigint() }}) as overdue_events,
    cast(counts.carried_over_events as {{ dbt.type_bigint() }}) as carried_over_events,
    cast(counts.worker_events as {{ dbt.type_bigint() }}) as worker_events,
    cast(counts.volunteer_events as {{ dbt.type_bigint() }}) as volunteer_events,
    cast(counts.volunteer_events_closed as {{ dbt.type_bigint() }}) as volunteer_events_closed,
    cast(counts.quality_nominated_events as {{ dbt.type_bigint() }}) as quality_nominated_events,
    cast(counts.quality_best_events as {{ dbt.type_bigint() }}) as quality_best_events,
    cast(counts.disputes as {{ dbt.type_bigint() }}) as disputes,
    cast(counts.disputes_resolved as {{ dbt.type_bigint() }}) as disputes_resolved,
    cast(counts.special_population as {{ dbt.type_bigint() }}) as special_population,
    cast(counts.special_population_visited as {{ dbt.type_bigint() }}) as special_population_visited,
    {{ safe_divide('workers_online', 'grid_workers') }} as attendance_rate,
    {{ safe_divide('admin_login_days', 'admin_accounts * workdays') }} as admin_login_rate,
    {{ safe_divide('valid_events', 'events_reported') }} as valid_rate,
    {{ safe_divide('valid_events - overdue_events', 'valid_events') }} as timeliness_rate,
    {{ safe_divide('worker_events', 'grid_workers') }} as events_per_worker,
    {{ safe_divide('volunteer_events_closed', 'volunteer_events') }} as volunteer_closure_rate,
    {{ safe_divide('disputes_resolved', 'disputes') }} as dispute_resolution_rate,
    {{ safe_divide('special_population_visited', 'special_population') }} as visit_rate,
    counts.district_id
from counts
