-- Every unit of a ranking is scored on every item of its scheme.
select ranking.period, ranking.scheme_id, ranking.org_id, ranking.items_scored, count(items.item_id) as scheme_items
from {{ ref('rpt_ranking_monthly') }} as ranking
inner join {{ ref('dim_scheme_item') }} as items
    on items.scheme_id = ranking.scheme_id
    and items.valid_from <= ranking.period and (items.valid_to is null or items.valid_to >= ranking.period)
where {{ in_this_month('ranking.period') }}
group by ranking.period, ranking.scheme_id, ranking.org_id, ranking.items_scored
having ranking.items_scored <> count(items.item_id)
