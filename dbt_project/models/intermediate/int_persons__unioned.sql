-- Every loaded row of the three recipient lists in one shape, keyed by (source, source_row).
with

unioned as (
    select * from {{ ref('stg_dtks__persons') }}
    union all by name
    select * from {{ ref('stg_p3ke__persons') }}
    union all by name
    select * from {{ ref('stg_carik__persons') }}
)

select
    source || ':' || source_row as record_id,
    *
from unioned
