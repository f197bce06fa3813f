-- Every person of the quarter with their golden record and status: eligible, or why they are excluded.
with

golden as (
    select * from {{ ref('int_persons__golden') }}
),

nik_status as (
    select * from {{ ref('int_dukcapil__nik_status') }}
),

-- Registry names cleaned once, the way list names are, to compare with the golden name.
deaths as (
    select *, {{ clean_name('nama_raw') }} as nama from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select *, {{ clean_name('nama_raw') }} as nama from {{ ref('stg_dukcapil__moves') }}
),

-- A registry NIK one serial digit from the person's NIK, with the same name (and, for deaths, birth date): a typo
-- in the list, or a namesake registered next in the same kecamatan. The two cannot be told apart from the
-- registries, and namesakes must stay, so the person is not excluded: they are listed for field verification.
near_matches as (
    select golden.person_id, nik_status.registry_status
    from golden
    inner join deaths
        on deaths.tanggal_lahir = golden.tanggal_lahir
        and deaths.nama = golden.nama
        and substr(deaths.nik, 1, 12) = substr(golden.nik, 1, 12)
        and hamming(deaths.nik, golden.nik) = 1
    inner join nik_status on nik_status.nik = deaths.nik
    union all
    select golden.person_id, nik_status.registry_status
    from golden
    inner join moves
        on moves.nama = golden.nama
        and substr(moves.nik, 1, 12) = substr(golden.nik, 1, 12)
        and hamming(moves.nik, golden.nik) = 1
    inner join nik_status on nik_status.nik = moves.nik
    where nik_status.registry_status in ('PINDAH_KELUAR', 'NONAKTIF', 'MENINGGAL')
),

near_match as (
    select person_id, min(registry_status) as near_registry_status from near_matches group by person_id
),


-- Same name and birth date as a death record with another NIK: not proof of death (namesakes are common), so the
-- person stays and is only counted for field verification.
death_namesakes as (
    select distinct golden.person_id
    from golden
    inner join deaths
        on deaths.nama = golden.nama
        and deaths.tanggal_lahir = golden.tanggal_lahir
        and deaths.nik is distinct from golden.nik
)

select
    golden.*,
    nik_status.registry_status,
    nik_status.registry_event_date,
    -- The registries are matched on the NIK: it is the one identifier Dukcapil guarantees to be the same person.
    -- Name and birth date would also remove living namesakes of the dead (same name and birth date, another NIK).
    case
        when nik_status.registry_status = 'MENINGGAL' then 'deceased'
        when nik_status.registry_status = 'PINDAH_KELUAR' then 'moved_out'
        when nik_status.registry_status = 'NONAKTIF' then 'nik_deactivated'
        when golden.address_resolution = 'outside_dki' then 'outside_dki'
        when not golden.any_valid_nik then 'invalid_nik'
        -- No row has a name with a letter in it (name_no_letters): BPS cannot take the record; field verification.
        when golden.nama is null then 'no_name'
        when golden.address_resolution = 'unresolved' then 'unresolved_kelurahan'
        else 'eligible'
    end as status,
    death_namesakes.person_id is not null as death_namesake,
    near_match.near_registry_status
from golden
left join nik_status on nik_status.nik = golden.nik
left join death_namesakes using (person_id)
left join near_match using (person_id)
