-- 数据质量提示: one row per month, integrity signal and unit (worker, grid) whose figures show a
-- pattern padding would leave (include/config/integrity_signals.yml: what each signal measures,
-- its threshold and its plain-Chinese explanation). Each row has the measured score, the reference
-- it is compared with, the strength (score / threshold) and the ids of the records behind it,
-- never a name. A row is a prompt to look at those records, not a verdict (caveat_zh says so).
--
-- Each signal's CTE gives one row per unit with its score, base and reference; the records behind a
-- score are gathered only for the units that reach their threshold.
with signals as (
    select * from {{ ref('stg_integrity_signals') }}
),

months as (
    select * from {{ ref('int_months') }}
),

workers as (
    select period, worker_id, grid_id, township_id, events_reported
    from {{ ref('int_worker_monthly') }}
),

worker_events as (
    select
        events.period,
        events.event_id,
        events.reporter_id as worker_id,
        events.org_id,
        events.category,
        events.reported_at
    from {{ ref('stg_events') }} as events
    where events.reporter_role = 'grid_worker' and not events.is_carried_over
),

-- 上报量远高于本乡镇中位数: a worker's new events against the township's median per worker
township_medians as (
    select
        period,
        township_id,
        percentile_cont(0.5) within group (order by events_reported) as median_events
    from workers
    group by period, township_id
),

far_above_median as (
    select
        workers.period,
        'events_far_above_township_median' as signal_id,
        workers.worker_id as unit_id,
        {{ safe_divide('workers.events_reported', 'medians.median_events') }} as score,
        cast(workers.events_reported as double precision) as measured_value,
        cast(medians.median_events as double precision) as reference_value,
        workers.events_reported as base
    from workers
    inner join township_medians as medians
        on medians.period = workers.period and medians.township_id = workers.township_id
),

-- 月末集中上报: the share of a worker's new events reported in the month's last days
month_end_events as (
    select worker_events.period, worker_events.worker_id, worker_events.event_id
    from worker_events
    inner join months on months.period = worker_events.period
    inner join signals on signals.signal_id = 'month_end_burst'
    where worker_events.reported_at >= {{ dbt.dateadd('day', '-1 * cast(signals.limit_value as integer)', 'months.month_end') }}
),

month_end_counts as (
    select period, worker_id, count(*) as late_events
    from month_end_events
    group by period, worker_id
),

district_month_end as (
    select
        workers.period,
        {{ safe_divide('sum(coalesce(counts.late_events, 0))', 'sum(workers.events_reported)') }} as share
    from workers
    left join month_end_counts as counts
        on counts.period = workers.period and counts.worker_id = workers.worker_id
    group by workers.period
),

month_end_burst as (
    select
        workers.period,
        'month_end_burst' as signal_id,
        workers.worker_id as unit_id,
        {{ safe_divide('coalesce(counts.late_events, 0)', 'workers.events_reported') }} as score,
        100 * {{ safe_divide('coalesce(counts.late_events, 0)', 'workers.events_reported') }} as measured_value,
        100 * district.share as reference_value,
        workers.events_reported as base
    from workers
    inner join district_month_end as district on district.period = workers.period
    left join month_end_counts as counts
        on counts.period = workers.period and counts.worker_id = workers.worker_id
),

-- 近似重复事件: events of one worker, grid and category within minutes of the one before
sequenced as (
    select
        period,
        event_id,
        worker_id,
        reported_at,
        lag(reported_at) over (
            partition by period, worker_id, org_id, category order by reported_at, event_id
        ) as previous_at
    from worker_events
),

near_duplicate_records as (
    select sequenced.period, sequenced.worker_id, sequenced.event_id
    from sequenced
    inner join signals on signals.signal_id = 'near_duplicate_events'
    where {{ dbt.datediff('sequenced.previous_at', 'sequenced.reported_at', 'second') }} <= signals.limit_value * 60
),

-- 巡查里程或速度不合理: patrols of no distance, or faster than the signal's km/h
implausible_patrol_records as (
    select patrols.period, patrols.worker_id, patrols.patrol_id
    from {{ ref('stg_patrols') }} as patrols
    inner join signals on signals.signal_id = 'implausible_patrols'
    where patrols.distance_km = 0
        or patrols.distance_km * 3600 > signals.limit_value
        * {{ dbt.datediff('patrols.started_at', 'patrols.ended_at', 'second') }}
),

-- 在线但无巡查无上报: days online in the app with neither a patrol nor a new event
idle_day_records as (
    select period, worker_id, cast(activity_date as varchar) as record_id
    from {{ ref('fct_worker_daily') }}
    where is_online and patrols = 0 and events_reported = 0
),

worker_record_counts as (
    select period, 'near_duplicate_events' as signal_id, worker_id, count(*) as records
    from near_duplicate_records
    group by period, worker_id
    union all
    select period, 'implausible_patrols' as signal_id, worker_id, count(*) as records
    from implausible_patrol_records
    group by period, worker_id
    union all
    select period, 'online_days_without_work' as signal_id, worker_id, count(*) as records
    from idle_day_records
    group by period, worker_id
),

worker_counts as (
    -- every active worker for every counted signal, with the district's mean per worker
    select
        workers.period,
        counted.signal_id,
        workers.worker_id as unit_id,
        cast(coalesce(counts.records, 0) as double precision) as score,
        cast(coalesce(counts.records, 0) as double precision) as measured_value,
        avg(cast(coalesce(counts.records, 0) as double precision))
            over (partition by workers.period, counted.signal_id) as reference_value,
        coalesce(counts.records, 0) as base
    from workers
    cross join (
        select 'near_duplicate_events' as signal_id
        union all
        select 'implausible_patrols'
        union all
        select 'online_days_without_work'
    ) as counted
    left join worker_record_counts as counts
        on counts.period = workers.period
        and counts.signal_id = counted.signal_id
        and counts.worker_id = workers.worker_id
),

-- 不可能速办的事件秒结: events of the slow categories closed within minutes of their report
slow_events as (
    select
        events.period,
        events.event_id,
        events.org_id,
        {{ dbt.datediff('events.reported_at', 'events.closed_at', 'second') }} / 60.0 as minutes_to_close,
        signals.limit_value
    from {{ ref('stg_events') }} as events
    inner join signals on signals.signal_id = 'instant_closes'
    where events.closed_at is not null
        and position('|' || events.category || '|' in '|' || signals.categories || '|') > 0
),

instant_close_records as (
    select period, org_id, event_id
    from slow_events
    where minutes_to_close <= limit_value
),

-- 时间戳在办结或月末之后: closes after the month's end, transfers after their event's close
late_records as (
    select events.period, events.org_id, events.event_id as record_id
    from {{ ref('stg_events') }} as events
    inner join months on months.period = events.period
    where events.closed_at >= months.month_end
    union all
    select transfers.period, events.org_id, transfers.transfer_id
    from {{ ref('stg_event_transfers') }} as transfers
    inner join {{ ref('stg_events') }} as events
        on events.period = transfers.period and events.event_id = transfers.event_id
    where transfers.transferred_at > events.closed_at
),

unit_counts as (
    select period, 'instant_closes' as signal_id, org_id as unit_id, count(*) as records
    from instant_close_records
    group by period, org_id
    union all
    select period, 'late_timestamps' as signal_id, org_id as unit_id, count(*) as records
    from late_records
    group by period, org_id
),

unit_references as (
    select period, 'instant_closes' as signal_id, percentile_cont(0.5) within group (order by minutes_to_close) as reference_value
    from slow_events
    group by period
    union all
    select period, 'late_timestamps' as signal_id, avg(cast(records as double precision)) as reference_value
    from unit_counts
    where signal_id = 'late_timestamps'
    group by period
),

grid_counts as (
    select
        unit_counts.period,
        unit_counts.signal_id,
        unit_counts.unit_id,
        cast(unit_counts.records as double precision) as score,
        cast(unit_counts.records as double precision) as measured_value,
        cast(refs.reference_value as double precision) as reference_value,
        unit_counts.records as base
    from unit_counts
    left join unit_references as refs
        on refs.period = unit_counts.period and refs.signal_id = unit_counts.signal_id
),

measured as (
    select * from far_above_median
    union all
    select * from month_end_burst
    union all
    select * from worker_counts
    union all
    select * from grid_counts
),

flagged as (
    select
        measured.*,
        signals.threshold
    from measured
    inner join signals on signals.signal_id = measured.signal_id
    where measured.score >= signals.threshold and measured.base >= signals.min_base
),

records as (
    select period, 'events_far_above_township_median' as signal_id, worker_id as unit_id, event_id as record_id
    from worker_events
    union all
    select period, 'month_end_burst' as signal_id, worker_id as unit_id, event_id as record_id from month_end_events
    union all
    select period, 'near_duplicate_events' as signal_id, worker_id as unit_id, event_id as record_id from near_duplicate_records
    union all
    select period, 'implausible_patrols' as signal_id, worker_id as unit_id, patrol_id as record_id from implausible_patrol_records
    union all
    select period, 'online_days_without_work' as signal_id, worker_id as unit_id, record_id from idle_day_records
    union all
    select period, 'instant_closes' as signal_id, org_id as unit_id, event_id as record_id from instant_close_records
    union all
    select period, 'late_timestamps' as signal_id, org_id as unit_id, record_id from late_records
),

flagged_records as (
    select
        records.period,
        records.signal_id,
        records.unit_id,
        count(*) as records,
        {{ dbt.listagg('records.record_id', "','", 'order by records.record_id') }} as record_ids
    from records
    inner join flagged
        on flagged.period = records.period
        and flagged.signal_id = records.signal_id
        and flagged.unit_id = records.unit_id
    group by records.period, records.signal_id, records.unit_id
),

units as (
    -- where each unit sits: a worker in their grid, an org unit (a grid, a village...) in its township
    select workers.period, workers.worker_id as unit_id, workers.grid_id, grids.township_id, grids.district_id
    from {{ ref('stg_grid_workers') }} as workers
    left join {{ ref('int_org_hierarchy') }} as grids
        on grids.period = workers.period and grids.org_id = workers.grid_id
    union all
    select period, org_id as unit_id, case when org_level = 'grid' then org_id end as grid_id, township_id, district_id
    from {{ ref('int_org_hierarchy') }}
)

select
    flagged.period,
    flagged.signal_id,
    signals.display_order,
    signals.label_zh,
    signals.unit_level,
    flagged.unit_id,
    units.grid_id,
    units.township_id,
    flagged.measured_value,
    flagged.reference_value,
    flagged.threshold,
    cast({{ round_half_up(safe_divide('flagged.score', 'flagged.threshold'), 2) }} as decimal(18, 2)) as strength,
    cast(coalesce(flagged_records.records, 0) as {{ dbt.type_bigint() }}) as records,
    flagged_records.record_ids,
    signals.score_zh,
    signals.reference_zh,
    signals.explanation_zh,
    signals.caveat_zh,
    units.district_id
from flagged
inner join signals on signals.signal_id = flagged.signal_id
left join flagged_records
    on flagged_records.period = flagged.period
    and flagged_records.signal_id = flagged.signal_id
    and flagged_records.unit_id = flagged.unit_id
left join units on units.period = flagged.period and units.unit_id = flagged.unit_id
