-- The fate of every data row of DTKS, P3KE and CARIK: published under a person, excluded with a reason, or quarantined.
with

rows_ as (
    select * from {{ ref('int_persons__clustered') }}
),

persons as (
    select * from {{ ref('persons') }}
),

quarantine as (
    select * from {{ ref('stg_ingest__quarantine') }}
    where source in ('dtks', 'p3ke', 'carik')
),

linked as (
    select
        rows_.source,
        rows_.source_row,
        rows_.person_id,
        case persons.status
            when 'eligible' then 'published'
            when 'deceased' then 'excluded_deceased'
            when 'moved_out' then 'excluded_moved_out'
            when 'nik_deactivated' then 'excluded_moved_out'
            when 'outside_dki' then 'excluded_outside_dki'
            when 'invalid_nik' then 'excluded_invalid_nik'
            when 'unresolved_kelurahan' then 'excluded_unresolved_kelurahan'
        end as fate,
        persons.status as reason
    from rows_
    inner join persons using (person_id)
),

quarantined as (
    select
        source,
        source_row,
        cast(null as varchar) as person_id,
        'quarantined' as fate,
        reason
    from quarantine
)

select * from linked
union all
select * from quarantined
