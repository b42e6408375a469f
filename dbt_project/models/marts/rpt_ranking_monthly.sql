-- The ranking of each scheme per month. total_score is the sum of the printed item scores, so a
-- row always adds up; rank is the standard competition rank (1, 1, 3) of that printed total, so
-- that units printed with the same total share a rank (seed 000 ranks 界水乡 and 人和乡 both 1 at
-- 100.00) and a reader can always see from the table why a unit is ahead of another.
-- previous_rank is the unit's rank under the same scheme in the month before, where there is one,
-- whichever version of the scheme was in force then (ranks stay comparable; the score change is
-- marked across_scheme_change); rank_change is positive when the unit moved up.
-- Months arrive in any order: a run of one month also rewrites the month after it, if that month
-- is in the mart, so its previous_rank is the same as if the months had been run in order.
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
        cast(months.first_day as date) as first_day,
        -- compared as the two-decimal number printed, never as the float it is stored in
        rank() over (
            partition by totals.period, totals.scheme_id
            order by cast(totals.total_score as decimal(18, 2)) desc
        ) as rank,
        units.org_name,
        units.district_id,
        versions.valid_from as scheme_valid_from,
        versions.replaces_valid_from as replaces_scheme_valid_from
    from totals
    inner join {{ ref('int_months') }} as months on months.period = totals.period
    inner join {{ ref('int_org_hierarchy') }} as units
        on units.period = totals.period and units.org_id = totals.org_id
    left join {{ ref('int_scheme_versions') }} as versions
        on versions.period = totals.period and versions.scheme_id = totals.scheme_id
),

this_run as (
    -- the months this run built, and (incremental) the month after each, as the mart holds it:
    -- its ranks stand, its comparison with this month is made again
    select
        period, scheme_id, org_id, org_name, total_score, total_score_unrounded, rank, items_scored, district_id,
        scheme_valid_from, replaces_scheme_valid_from, first_day
    from ranked
    {% if is_incremental() %}
    union all
    select
        later.period, later.scheme_id, later.org_id, later.org_name, later.total_score, later.total_score_unrounded,
        later.rank, later.items_scored, later.district_id,
        {{ known_or_null('later', 'scheme_valid_from') }}, {{ known_or_null('later', 'replaces_scheme_valid_from') }},
        cast(later.period || '-01' as date) as first_day
    from {{ this }} as later
    where
        later.period not in (select ranked.period from ranked)
        and cast(later.period || '-01' as date) in (
            select distinct cast({{ dbt.dateadd('month', 1, 'ranked.first_day') }} as date) from ranked
        )
    {% endif %}
),

earlier as (
    -- the ranks the comparison needs: from this run, and from months already in the mart
    select period, scheme_id, org_id, rank, total_score, scheme_valid_from, first_day from this_run
    {% if is_incremental() %}
    union all
    select
        known.period, known.scheme_id, known.org_id, known.rank, known.total_score,
        {{ known_or_null('known', 'scheme_valid_from') }},
        cast(known.period || '-01' as date) as first_day
    from {{ this }} as known
    where known.period not in (select this_run.period from this_run)
    {% endif %}
)

select
    this_run.period,
    this_run.scheme_id,
    this_run.org_id,
    this_run.org_name,
    this_run.total_score,
    this_run.total_score_unrounded,
    this_run.rank,
    previous.rank as previous_rank,
    previous.rank - this_run.rank as rank_change,
    this_run.items_scored,
    this_run.district_id,
    this_run.scheme_valid_from,
    this_run.replaces_scheme_valid_from,
    previous.total_score as previous_total_score,
    this_run.total_score - previous.total_score as score_change,
    previous.scheme_valid_from as previous_scheme_valid_from,
    case
        when previous.rank is null then null
        -- a row from before versions were recorded has none: no change is claimed
        when previous.scheme_valid_from is null or this_run.scheme_valid_from is null then false
        else previous.scheme_valid_from <> this_run.scheme_valid_from
    end as across_scheme_change
from this_run
left join earlier as previous
    on previous.scheme_id = this_run.scheme_id
    and previous.org_id = this_run.org_id
    and previous.first_day = cast({{ dbt.dateadd('month', -1, 'this_run.first_day') }} as date)
