-- The fate of every data row of DTKS, P3KE and CARIK: published under a person, excluded with a reason, or
-- quarantined; and the row's rejected cells, which do not decide its fate (a person must not lose aid over a
-- typo'd birth date when the rest of the row identifies them).
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

rejected_cells as (
    select * from {{ ref('int_cells__rejected') }}
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
            when 'nik_conflict' then 'excluded_nik_conflict'
            when 'deceased_near_nik' then 'excluded_deceased_near_nik'
            when 'moved_out_near_nik' then 'excluded_moved_out_near_nik'
            when 'nik_deactivated_near_nik' then 'excluded_moved_out_near_nik'
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
),

fates as (
    select * from linked
    union all
    select * from quarantined
),

-- One cell per issue in a stable order, so that a re-run gives a byte-identical ledger file.
cell_issues as (
    select
        source,
        source_row,
        string_agg(reason, '; ' order by column_name, issue) as cell_issues
    from rejected_cells
    group by source, source_row
)

select
    fates.source,
    fates.source_row,
    fates.person_id,
    fates.fate,
    fates.reason,
    cell_issues.cell_issues
from fates
left join cell_issues using (source, source_row)
