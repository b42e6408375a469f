-- Every indicator of every scheme item, per month, for each unit the scheme scores (townships,
-- grids) and, for township schemes, also the district (whose numerator and denominator are the
-- sums of its townships'), each village/community and each grid worker, where the indicator
-- makes sense at that level (int_indicator_village, int_indicator_worker say which). Only the
-- scheme's own level is scored; the others explain it.
with township_rows as (
    select * from {{ ref('int_indicator_township') }}
),

village_rows as (
    select * from {{ ref('int_indicator_village') }}
),

worker_rows as (
    select * from {{ ref('int_indicator_worker') }}
),

grid_rows as (
    select * from {{ ref('int_indicator_grid') }}
),

districts as (
    select period, org_id from {{ ref('int_org_hierarchy') }}
    where org_level = 'district'
),

district_rows as (
    select
        township_rows.period,
        township_rows.scheme_id,
        township_rows.item_id,
        township_rows.indicator_id,
        districts.org_id,
        {{ exact_sum('township_rows.numerator') }} as numerator,
        {{ exact_sum('township_rows.denominator') }} as denominator
    from township_rows
    inner join districts on districts.period = township_rows.period
    group by township_rows.period, township_rows.scheme_id, township_rows.item_id, township_rows.indicator_id, districts.org_id
),

district_values as (
    {{ with_indicator_value('district_rows') }}
),

all_rows as (
    select period, scheme_id, item_id, indicator_id, org_id, 'township' as org_level, numerator, denominator, value, district_id
    from township_rows
    union all
    select period, scheme_id, item_id, indicator_id, org_id, 'district' as org_level, numerator, denominator, value, org_id as district_id
    from district_values
    union all
    select period, scheme_id, item_id, indicator_id, org_id, 'village' as org_level, numerator, denominator, value, district_id
    from village_rows
    union all
    select period, scheme_id, item_id, indicator_id, org_id, 'worker' as org_level, numerator, denominator, value, district_id
    from worker_rows
    union all
    select period, scheme_id, item_id, indicator_id, org_id, 'grid' as org_level, numerator, denominator, value, district_id
    from grid_rows
)

select
    all_rows.period,
    all_rows.scheme_id,
    all_rows.org_id,
    all_rows.org_level,
    all_rows.indicator_id,
    all_rows.item_id,
    cast(all_rows.numerator as double precision) as numerator,
    cast(all_rows.denominator as double precision) as denominator,
    all_rows.value,
    items.standard,
    items.band_lo,
    items.band_hi,
    all_rows.district_id
from all_rows
inner join {{ ref('int_scheme_items') }} as items
    on items.scheme_id = all_rows.scheme_id and items.item_id = all_rows.item_id
    -- the version in force in the row's month (a scheme may have several, each valid for its months)
    and coalesce(items.valid_from, '') <= all_rows.period
    and (items.valid_to is null or items.valid_to >= all_rows.period)
