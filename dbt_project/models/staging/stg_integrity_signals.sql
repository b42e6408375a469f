-- The integrity signals (数据质量提示) in force: thresholds and texts from include/config/integrity_signals.yml.
select
    signal_id,
    display_order,
    label_zh,
    unit_level,
    threshold,
    min_base,
    limit_value,
    categories,
    score_zh,
    reference_zh,
    explanation_zh,
    caveat_zh
from {{ source('raw', 'integrity_signals') }}
