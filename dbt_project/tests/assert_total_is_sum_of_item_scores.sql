-- Every total in the ranking equals the sum of its printed item scores.
select ranking.period, ranking.scheme_id, ranking.org_id, ranking.total_score, sum(scores.score) as sum_of_items
from {{ ref('rpt_ranking_monthly') }} as ranking
inner join {{ ref('fct_score_monthly') }} as scores
    on scores.period = ranking.period and scores.scheme_id = ranking.scheme_id and scores.org_id = ranking.org_id
where {{ in_this_month('ranking.period') }}
group by ranking.period, ranking.scheme_id, ranking.org_id, ranking.total_score
having abs(ranking.total_score - sum(scores.score)) > 0.005
