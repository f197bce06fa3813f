-- Per list: rows loaded and quarantined, rows without a valid NIK and rows whose kelurahan could not be resolved.
with

conformed as (
    select * from {{ ref('int_persons__conformed') }}
),

quarantine as (
    select * from {{ ref('stg_ingest__quarantine') }}
),

sources as (
    select unnest(['dtks', 'p3ke', 'carik']) as source
),

per_source as (
    select
        source,
        count(*) as rows_loaded,
        count(*) filter (where not nik_valid) as rows_invalid_nik,
        count(*) filter (where address_resolution = 'unresolved') as rows_unresolved_kelurahan,
        count(*) filter (where address_resolution = 'outside_dki') as rows_outside_dki
    from conformed
    group by source
),

quarantined as (
    select source, count(*) as rows_quarantined from quarantine group by source
)

select
    sources.source,
    coalesce(per_source.rows_loaded, 0) as rows_loaded,
    coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
    coalesce(per_source.rows_invalid_nik, 0) as rows_invalid_nik,
    coalesce(per_source.rows_unresolved_kelurahan, 0) as rows_unresolved_kelurahan,
    coalesce(per_source.rows_outside_dki, 0) as rows_outside_dki,
    coalesce(per_source.rows_invalid_nik / nullif(per_source.rows_loaded, 0), 0) as invalid_nik_share,
    coalesce(per_source.rows_unresolved_kelurahan / nullif(per_source.rows_loaded, 0), 0)
        as unresolved_kelurahan_share
from sources
left join per_source using (source)
left join quarantined using (source)
