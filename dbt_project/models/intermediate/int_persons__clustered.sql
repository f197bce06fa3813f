-- Each list row with the person Splink linked it to.
with

conformed as (
    select * from {{ ref('int_persons__conformed') }}
),

clusters as (
    select * from {{ source('linkage', 'person_clusters') }}
)

select
    -- Carried over from the previous quarter where the person was there (orchestration/linkage/person_ids.py).
    clusters.person_id,
    -- The clerical decisions that changed this row's person (orchestration/linkage/review_constraints.py).
    clusters.review_decisions,
    conformed.*,
    case source when 'carik' then 1 when 'p3ke' then 2 else 3 end as domicile_rank
from conformed
inner join clusters on clusters.unique_id = conformed.record_id
