-- One row per list row with a standard name and address, its kelurahan resolved, and its NIK judged.
{#- Read straight from the table where needed: a `persons` CTE read three times was copied whole first. -#}
{%- set persons = ref('int_persons__unioned') ~ ' as persons' %}
with

kelurahan_resolved as (
    select * from {{ ref('int_regions__kelurahan_resolved') }}
),

provinsi_keys as (
    select * from {{ ref('int_regions__provinsi_keys') }}
),

kabkota_keys as (
    select * from {{ ref('int_regions__kabkota_keys') }}
),

dki_kelurahan as (
    select * from {{ ref('dki_kelurahan') }}
),

national_kabkota as (
    select distinct kode_kabkota from {{ ref('kemendagri_kecamatan') }}
),

-- A NIK equal to a No. KK listed this quarter, whose date part is not the record's birth date, is the household's
-- KK typed into the NIK field (P3KE rows carry no KK of their own to compare with).
quarter_kk as (
    select distinct no_kk from {{ persons }} where no_kk is not null
),

-- Region keys are regular-expression work: made once per way the four region cells are written together (about
-- 90,000 at a million rows), then joined back to the rows.
written_regions as (
    select
        provinsi_raw,
        kabkota_raw,
        kecamatan_raw,
        kelurahan_raw,
        {{ kabkota_key('kabkota_raw') }} as kabkota_key,
        {{ region_key('kecamatan_raw', 'kecamatan') }} as kecamatan_key,
        {{ region_key('kelurahan_raw', 'kelurahan') }} as kelurahan_key,
        {{ region_key('provinsi_raw', 'provinsi') }} as provinsi_key
    from (select distinct provinsi_raw, kabkota_raw, kecamatan_raw, kelurahan_raw from {{ persons }}) as written
),

keyed as (
    select
        persons.*,
        written_regions.kabkota_key,
        written_regions.kecamatan_key,
        written_regions.kelurahan_key,
        written_regions.provinsi_key,
        cast(substr(persons.nik, 7, 2) as integer) as nik_day
    from {{ persons }}
    left join written_regions
        on written_regions.provinsi_raw is not distinct from persons.provinsi_raw
        and written_regions.kabkota_raw is not distinct from persons.kabkota_raw
        and written_regions.kecamatan_raw is not distinct from persons.kecamatan_raw
        and written_regions.kelurahan_raw is not distinct from persons.kelurahan_raw
),

resolved as (
    select
        keyed.*,
        -- The province is read last: lists write DKI, DKJ, DAERAH KHUSUS JAKARTA, PROV. DKI JAKARTA ... (UU 2/2024),
        -- and its text alone never makes a person whose kelurahan resolves in Jakarta "outside DKI". A kab/kota
        -- outside Jakarta (KOTA BEKASI) does: it is written on purpose, and kelurahan names repeat across Indonesia.
        case
            when by_code.kode is not null then 'dki'
            when keyed.kode_kelurahan_raw is not null and not starts_with(keyed.kode_kelurahan_raw, '31') then 'outside_dki'
            when kab.is_dki = false then 'outside_dki'
            when by_name.kode_kelurahan is not null then 'dki'
            when prov.is_dki = false then 'outside_dki'
            else 'unresolved'
        end as address_resolution,
        coalesce(by_code.kode, by_name.kode_kelurahan) as resolved_kode
    from keyed
    left join dki_kelurahan as by_code on by_code.kode = keyed.kode_kelurahan_raw
    left join kabkota_keys as kab on kab.kabkota_key = keyed.kabkota_key
    left join provinsi_keys as prov on prov.provinsi_key = keyed.provinsi_key
    left join kelurahan_resolved as by_name
        on by_name.kelurahan_key is not distinct from keyed.kelurahan_key
        and by_name.kecamatan_key is not distinct from keyed.kecamatan_key
        and by_name.kabkota_key is not distinct from keyed.kabkota_key
),

judged as (
    select
        resolved.*,
        resolved.nik is not null
            and substr(resolved.nik, 9, 4) = strftime(resolved.tanggal_lahir, '%m%y')
            and resolved.nik_day % 40 = day(resolved.tanggal_lahir) as nik_dob_agrees,
        resolved.nik is not null and (resolved.nik_day > 40) = (resolved.jenis_kelamin = 'P') as nik_sex_agrees,
        case
            when resolved.nik is null and resolved.nik_issue is not null then 'malformed'
            when resolved.nik is null then 'missing'
            when {{ id_is_one_digit_repeated('resolved.nik') }} then 'placeholder'
            when nat.kode_kabkota is null then 'unknown_region'
            when not {{ nik_date_is_real('resolved.nik') }} then 'impossible_date'
            when substr(resolved.nik, 13, 4) = '0000' then 'serial_0000'
            when resolved.nik = resolved.no_kk then 'is_kk'
        end as nik_problem
    from resolved
    left join national_kabkota as nat on nat.kode_kabkota = substr(resolved.nik, 1, 4)
),

final as (
    select
        ---------- ids
        judged.record_id,
        judged.source,
        judged.source_row,
        judged.source_record_id,
        judged.nik,
        case
            when judged.nik_problem is not null then judged.nik_problem
            when quarter_kk.no_kk is not null and not judged.nik_dob_agrees then 'is_kk'
        end as nik_problem,
        judged.no_kk,
        judged.no_kk is not null
            and substr(judged.no_kk, 13, 4) <> '0000'
            and try(make_date(2000 + cast(substr(judged.no_kk, 11, 2) as integer),
                              cast(substr(judged.no_kk, 9, 2) as integer),
                              cast(substr(judged.no_kk, 7, 2) as integer))) is not null as kk_valid,
        judged.padan_dukcapil,

        ---------- person
        judged.nama_raw,
        {{ clean_name('judged.nama_raw') }} as nama,
        judged.jenis_kelamin,
        judged.tanggal_lahir,
        judged.nik_dob_agrees,
        judged.nik_sex_agrees,
        judged.tempat_lahir,
        judged.nama_ibu_kandung,
        judged.hubungan_keluarga,

        ---------- address
        judged.alamat as alamat_raw,
        {{ standardise_address('judged.alamat') }} as alamat,
        coalesce(judged.rt, {{ rt_rw_from_address('judged.alamat', 'rt') }}) as rt,
        coalesce(judged.rw, {{ rt_rw_from_address('judged.alamat', 'rw') }}) as rw,
        judged.address_resolution,
        kel.kode as kode_kelurahan,
        kel.kode_bps_kelurahan as kode_kelurahan_bps,
        kel.kelurahan,
        kel.kecamatan,
        kel.kabkota,

        ---------- programmes
        judged.desil,
        judged.program_bansos

    from judged
    left join quarter_kk on quarter_kk.no_kk = judged.nik
    left join dki_kelurahan as kel on kel.kode = judged.resolved_kode and judged.address_resolution = 'dki'
)

select
    * exclude (nik_problem),
    {{ match_name('nama') }} as nama_match,
    nik_problem is null as nik_valid,
    nik_problem
from final
