-- Per month, the version of each scheme in force in it (its valid_from) and the version it
-- followed, if any: the ranking marks a rank change across versions, and the bulletin of a
-- version's first month says it is new.
with versions as (
    select distinct scheme_id, valid_from, valid_to
    from {{ ref('int_scheme_items') }}
),

ordered as (
    select
        scheme_id,
        valid_from,
        valid_to,
        lag(valid_from) over (partition by scheme_id order by valid_from) as replaces_valid_from
    from versions
)

select
    months.period,
    ordered.scheme_id,
    ordered.valid_from,
    ordered.replaces_valid_from
from {{ ref('int_months') }} as months
inner join ordered
    on coalesce(ordered.valid_from, '') <= months.period
    and (ordered.valid_to is null or ordered.valid_to >= months.period)
