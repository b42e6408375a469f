-- A unit's rank is one more than the number of units with a strictly higher unrounded total.
select ranking.period, ranking.scheme_id, ranking.org_id, ranking.rank, count(higher.org_id) + 1 as expected_rank
from {{ ref('rpt_ranking_monthly') }} as ranking
left join {{ ref('rpt_ranking_monthly') }} as higher
    on higher.period = ranking.period and higher.scheme_id = ranking.scheme_id
    and higher.total_score_unrounded > ranking.total_score_unrounded + 0.000001
where {{ in_this_month('ranking.period') }}
group by ranking.period, ranking.scheme_id, ranking.org_id, ranking.rank
having ranking.rank <> count(higher.org_id) + 1
