-- A unit's rank is one more than the number of units with a strictly higher printed total.
select ranking.period, ranking.scheme_id, ranking.org_id, ranking.rank, count(higher.org_id) + 1 as expected_rank
from {{ ref('rpt_ranking_monthly') }} as ranking
left join {{ ref('rpt_ranking_monthly') }} as higher
    on higher.period = ranking.period and higher.scheme_id = ranking.scheme_id
    and cast(higher.total_score as decimal(18, 2)) > cast(ranking.total_score as decimal(18, 2))
where {{ in_this_month('ranking.period') }}
group by ranking.period, ranking.scheme_id, ranking.org_id, ranking.rank
having ranking.rank <> count(higher.org_id) + 1
