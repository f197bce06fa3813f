-- The fate of every data row of all five extracts. A list row (DTKS, P3KE, CARIK) is published under a person,
-- excluded with a reason, or quarantined; a registry row (the Dukcapil death and move files) is applied to a listed
-- person, superseded by a later event of the same NIK, matched to nobody listed, unusable for want of a NIK, or
-- quarantined. Each row also carries its rejected cells, which do not decide its fate (a person must not lose aid
-- over a typo'd birth date when the rest of the row identifies them), and its reformatted cells, which were taken.
with

rows_ as (
    select * from {{ ref('int_persons__clustered') }}
),

persons as (
    select * from {{ ref('persons') }}
),

deaths as (
    select * from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select * from {{ ref('stg_dukcapil__moves') }}
),

quarantine as (
    select * from {{ ref('stg_ingest__quarantine') }}
    where source in ('dtks', 'p3ke', 'carik', 'dukcapil_kematian', 'dukcapil_pindah')
),

rejected_cells as (
    select * from {{ ref('int_cells__rejected') }}
),

reformatted_cells as (
    select * from {{ ref('int_cells__reformatted') }}
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
            when 'no_name' then 'excluded_no_name'
            when 'field_deceased' then 'excluded_field_deceased'
            when 'field_moved_out' then 'excluded_field_moved_out'
            when 'field_not_known' then 'excluded_field_not_known'
            when 'held_for_verification' then 'excluded_held_for_verification'
        end as fate,
        -- A status a person changed says so: published after an upheld appeal, a field visit or by the policy.
        case
            when persons.status = 'eligible' and persons.changed_by = 'sanggahan' then 'reinstated_by_appeal'
            when persons.status = 'eligible' and persons.changed_by = 'verifikasi' then 'verified_in_field'
            when persons.status = 'eligible' and persons.changed_by = 'kebijakan' then 'published_with_doubt'
            else persons.status
        end as reason,
        rows_.review_decisions,
        persons.field_result_id,
        persons.appeal_id
    from rows_
    inner join persons using (person_id)
),

registry_rows as (
    select 'dukcapil_kematian' as source, source_row, nik, nik_issue from deaths
    union all
    select 'dukcapil_pindah', source_row, nik, nik_issue from moves
),

-- The listed person a registry NIK is matched to: the one whose golden NIK it is, or whose registry status was
-- found under it (a typo variant of the golden NIK on their rows); persons matches on the same NIKs. Should two
-- people hold one such NIK, the row names the first; persons gives both the registry status, and the registry row
-- it rests on (the same for both: int_persons__rule_status ranks a NIK's records once).
listed_niks as (
    select
        nik,
        min(person_id) as person_id,
        min(status) as status,
        min(registry_status) as registry_status,
        min(registry_source) as registry_source,
        min(registry_source_row) as registry_source_row
    from (
        select nik, person_id, status, null as registry_status, null as registry_source,
            null as registry_source_row
        from persons where nik is not null
        union all
        select registry_nik, person_id, status, registry_status, registry_source, registry_source_row
        from persons where registry_nik is not null
    )
    group by nik
),

-- The registry rows that excluded a person through a NIK one edit from theirs (persons' near matches). A part of a
-- person that the linkage left apart takes the row the other part's status rests on: the row stays that part's.
near_applied as (
    select near_registry_file as source, near_registry_row as source_row, min(person_id) as person_id
    from persons
    where status in ('deceased_near_nik', 'moved_out_near_nik', 'nik_deactivated_near_nik')
        and not coalesce(near_registry_split_part, false)
    group by all
),

-- A registry row's fate follows the status rules of int_persons__rule_status and marts.persons, not a copy of
-- them: the row a listed person's status rests on is applied; the NIK's other rows are superseded by it.
{%- set counted = "coalesce(listed_niks.registry_source = registry_rows.source "
    ~ "and listed_niks.registry_source_row = registry_rows.source_row, false)" %}
registry as (
    select
        registry_rows.source,
        registry_rows.source_row,
        -- A record under another listed person's NIK but with this person's name is applied to this person (its
        -- NIK's holder is excluded by it as well, unless by a record of their own: Dukcapil holds the NIK as the
        -- record says).
        coalesce(near_applied.person_id, listed_niks.person_id) as person_id,
        case
            when registry_rows.nik is null then 'registry_invalid_nik'
            when near_applied.person_id is not null then 'registry_applied_near_nik'
            when listed_niks.person_id is null then 'registry_no_listed_person'
            when {{ counted }} and listed_niks.status in ('deceased', 'moved_out', 'nik_deactivated')
                then 'registry_applied'
            when {{ counted }} and listed_niks.registry_status = 'PINDAH_DALAM_DKI' then 'registry_moved_within_dki'
            -- The counting event of a person whose status rests on something that outranks it (NIK ganda).
            when {{ counted }} then 'registry_outranked'
            when listed_niks.registry_source is not null then 'registry_superseded'
            -- The NIK has no event the status rules count (as of this writing: events after the quarter).
            else 'registry_not_counted'
        end as fate,
        case
            when registry_rows.nik is null then coalesce(registry_rows.nik_issue, 'nik_missing')
            when near_applied.person_id is not null and listed_niks.person_id is not null
                then 'name_of_a_listed_person_one_nik_edit_away'
            when near_applied.person_id is not null then 'nik_one_edit_from_a_listed_nik'
            when listed_niks.person_id is null then 'nik_not_listed'
            when {{ counted }} then listed_niks.status
            when listed_niks.registry_source is not null
                then 'superseded by ' || listed_niks.registry_source || ' row ' || listed_niks.registry_source_row
            else 'event_not_counted'
        end as reason,
        cast(null as varchar) as review_decisions,
        cast(null as varchar) as field_result_id,
        cast(null as varchar) as appeal_id
    from registry_rows
    left join listed_niks on listed_niks.nik = registry_rows.nik
    left join near_applied using (source, source_row)
),

quarantined as (
    select
        source,
        source_row,
        cast(null as varchar) as person_id,
        'quarantined' as fate,
        reason,
        cast(null as varchar) as review_decisions,
        cast(null as varchar) as field_result_id,
        cast(null as varchar) as appeal_id
    from quarantine
),

fates as (
    select * from linked
    union all
    select * from registry
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
),

cell_notes as (
    select
        source,
        source_row,
        string_agg(reason, '; ' order by column_name, note) as cell_notes
    from reformatted_cells
    group by source, source_row
)

select
    fates.source,
    fates.source_row,
    fates.person_id,
    fates.fate,
    fates.reason,
    cell_issues.cell_issues,
    cell_notes.cell_notes,
    fates.review_decisions,
    fates.field_result_id,
    fates.appeal_id
from fates
left join cell_issues using (source, source_row)
left join cell_notes using (source, source_row)
