-- Per extract: rows loaded and quarantined, rows without a valid NIK and, for the lists, rows whose kelurahan could
-- not be resolved. A registry row's NIK is valid when it is 16 digits (as written, separators removed): that is
-- what the registry is matched on, and a registry row without one can neither exclude nor clear anybody.
with

conformed as (
    select * from {{ ref('int_persons__conformed') }}
),

deaths as (
    select * from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select * from {{ ref('stg_dukcapil__moves') }}
),

quarantine as (
    select * from {{ ref('stg_ingest__quarantine') }}
),

sources as (
    select unnest(['dtks', 'p3ke', 'carik', 'dukcapil_kematian', 'dukcapil_pindah']) as source
),

per_list as (
    select
        source,
        count(*) as rows_loaded,
        count(*) filter (where not nik_valid) as rows_invalid_nik,
        count(*) filter (where address_resolution = 'unresolved') as rows_unresolved_kelurahan,
        count(*) filter (where address_resolution = 'outside_dki') as rows_outside_dki
    from conformed
    group by source
),

-- Kelurahan figures do not apply to a registry: null, not 0.
per_registry as (
    select
        'dukcapil_kematian' as source,
        count(*) as rows_loaded,
        count(*) filter (where nik is null) as rows_invalid_nik,
        cast(null as bigint) as rows_unresolved_kelurahan,
        cast(null as bigint) as rows_outside_dki
    from deaths
    union all
    select 'dukcapil_pindah', count(*), count(*) filter (where nik is null), null, null
    from moves
),

per_source as (
    select * from per_list
    union all
    select * from per_registry
),

quarantined as (
    select source, count(*) as rows_quarantined from quarantine group by source
)

select
    sources.source,
    sources.source in ('dukcapil_kematian', 'dukcapil_pindah') as is_registry,
    coalesce(per_source.rows_loaded, 0) as rows_loaded,
    coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
    coalesce(per_source.rows_invalid_nik, 0) as rows_invalid_nik,
    case when sources.source in ('dtks', 'p3ke', 'carik') then coalesce(per_source.rows_unresolved_kelurahan, 0) end
        as rows_unresolved_kelurahan,
    case when sources.source in ('dtks', 'p3ke', 'carik') then coalesce(per_source.rows_outside_dki, 0) end as rows_outside_dki,
    coalesce(per_source.rows_invalid_nik / nullif(per_source.rows_loaded, 0), 0) as invalid_nik_share,
    case when sources.source in ('dtks', 'p3ke', 'carik')
        then coalesce(per_source.rows_unresolved_kelurahan / nullif(per_source.rows_loaded, 0), 0)
    end as unresolved_kelurahan_share
from sources
left join per_source using (source)
left join quarantined using (source)
