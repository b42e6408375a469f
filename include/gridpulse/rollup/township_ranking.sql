-- marts.rpt_rollup_ranking_monthly: the units (townships, or grids under a grid scheme) ranked
-- across the districts that assess them with the same scheme. A printed total shared by several
-- units shares their rank and the next rank is skipped, as in a district's own ranking
-- (marts.rpt_ranking_monthly). A scheme that only one district uses is not ranked here.
CREATE TABLE marts.rpt_rollup_ranking_monthly AS
WITH shared AS (
    SELECT period, scheme_id
    FROM marts.rpt_ranking_monthly
    GROUP BY period, scheme_id
    HAVING count(DISTINCT district_id) > 1
)
SELECT
    ranking.period,
    ranking.scheme_id,
    ranking.district_id,
    ranking.org_id,
    ranking.org_name,
    ranking.total_score,
    ranking.rank AS district_rank,
    rank() OVER (PARTITION BY ranking.period, ranking.scheme_id ORDER BY ranking.total_score DESC) AS rollup_rank,
    count(*) OVER (PARTITION BY ranking.period, ranking.scheme_id) AS ranked_units
FROM marts.rpt_ranking_monthly AS ranking
INNER JOIN shared USING (period, scheme_id)
