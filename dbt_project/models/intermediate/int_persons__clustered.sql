-- Each list row with the person Splink linked it to.
with

conformed as (
    select * from {{ ref('int_persons__conformed') }}
),

clusters as (
    select * from {{ source('linkage', 'person_clusters') }}
)

select
    -- Opaque and stable for the same cluster; issue-free of personal data (the cluster id is a row id).
    'P' || upper(substr(md5(clusters.cluster_id), 1, 12)) as person_id,
    conformed.*,
    case source when 'carik' then 1 when 'p3ke' then 2 else 3 end as domicile_rank
from conformed
inner join clusters on clusters.unique_id = conformed.record_id
