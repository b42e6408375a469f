-- The platform's own words the indicators rest on (its mapping's vocabulary), one row per word.
select word_kind, word
from {{ source('raw', 'platform_words') }}
