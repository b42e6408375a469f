-- The ranking of each scheme per month. total_score is the sum of the printed item scores, so a
-- row always adds up; rank is the standard competition rank (1, 1, 3) of that printed total, so
-- that units printed with the same total share a rank (seed 000 ranks 界水乡 and 人和乡 both 1 at
-- 100.00) and a reader can always see from the table why a unit is ahead of another.
-- previous_rank is the unit's rank under the same scheme in the month before, where there is one;
-- rank_change is positive when the unit moved up.
with totals as (
    select
        period,
        scheme_id,
        org_id,
        {{ round_half_up('sum(score)', 2) }} as total_score,
        {{ exact_sum('score_unrounded') }} as total_score_unrounded,
        count(*) as items_scored
    from {{ ref('fct_score_monthly') }}
    {% if is_incremental() %}where {{ in_this_month() }}{% endif %}
    group by period, scheme_id, org_id
),

ranked as (
    select
        totals.*,
        months.first_day,
        -- compared as the two-decimal number printed, never as the float it is stored in
        rank() over (
            partition by totals.period, totals.scheme_id
            order by cast(totals.total_score as decimal(18, 2)) desc
        ) as rank
    from totals
    inner join {{ ref('int_months') }} as months on months.period = totals.period
),

earlier as (
    -- the ranks the previous month needs: from this run, and from months already in the mart
    select period, scheme_id, org_id, rank, cast(first_day as date) as first_day from ranked
    {% if is_incremental() %}
    union all
    select known.period, known.scheme_id, known.org_id, known.rank, cast(known.period || '-01' as date) as first_day
    from {{ this }} as known
    where known.period not in (select ranked.period from ranked)
    {% endif %}
)

select
    ranked.period,
    ranked.scheme_id,
    ranked.org_id,
    units.org_name,
    ranked.total_score,
    ranked.total_score_unrounded,
    ranked.rank,
    previous.rank as previous_rank,
    previous.rank - ranked.rank as rank_change,
    ranked.items_scored,
    units.district_id
from ranked
inner join {{ ref('int_org_hierarchy') }} as units
    on units.period = ranked.period and units.org_id = ranked.org_id
left join earlier as previous
    on previous.scheme_id = ranked.scheme_id
    and previous.org_id = ranked.org_id
    and previous.first_day = cast({{ dbt.dateadd('month', -1, 'ranked.first_day') }} as date)
