-- 管理员账号登录.
with source as (
    select * from {{ source('raw', 'admin_logins') }}
)

select
    period,
    org_id,
    login_date,
    login_count,
    export_id
from source
