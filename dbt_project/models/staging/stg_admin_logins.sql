-- 管理员账号登录.
with source as (
    select * from {{ source('raw', 'admin_logins') }}
    where {{ in_this_month() }}
)

select
    period,
    org_id,
    login_date,
    login_count,
    export_id
from source
