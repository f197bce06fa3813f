-- One golden record per person: which NIK, name, birth date, sex, address and kelurahan win (docs/survivorship.md).
{#- The rows are read straight from the table by each vote: a `rows_` CTE read five times was copied whole, every
    column, before any vote ran (a third of this model's time at 1M rows). -#}
{%- set rows_ = ref('int_persons__clustered') ~ ' as rows_' %}
with

-- NIK: a valid NIK whose date and sex fit one of the person's known birth dates (any row's, so a row whose own
-- date cell was unreadable still votes for the NIK that fits the person) beats one that fits none; then the NIK
-- most rows carry; then one P3KE matched to Dukcapil; then the smallest, so ties always resolve the same way.
known_dates as (
    select distinct person_id, tanggal_lahir, jenis_kelamin from {{ rows_ }} where tanggal_lahir is not null
),

nik_fits as (
    select niks.person_id, niks.nik, bool_or(
        {{ nik_fits_date('niks.nik', 'known_dates.tanggal_lahir') }}
        and coalesce((cast(substr(niks.nik, 7, 2) as integer) > 40) = (known_dates.jenis_kelamin = 'P'), true)
    ) as fits
    from (select distinct person_id, nik from {{ rows_ }} where nik_valid) as niks
    inner join known_dates using (person_id)
    group by all
),

nik_votes as (
    select
        rows_.person_id,
        rows_.nik,
        coalesce(any_value(nik_fits.fits), false) as agrees,
        count(*) as n_rows,
        bool_or(coalesce(rows_.padan_dukcapil, false)) as matched_dukcapil
    from {{ rows_ }}
    left join nik_fits using (person_id, nik)
    where rows_.nik_valid
    group by all
),

golden_nik as (
    select person_id, nik
    from nik_votes
    qualify row_number() over (
        partition by person_id order by agrees desc, n_rows desc, matched_dukcapil desc, nik
    ) = 1
),

-- Name: the spelling most rows carry; then one written out in full (no one-letter or short abbreviated word);
-- then the longer; then alphabetical.
name_votes as (
    select
        person_id,
        nama,
        count(*) as n_rows,
        not regexp_matches(nama, '(^| )([A-Z]|MOH|MUH|MHD|MOCH|ST|ABD|AHM)( |$)') as written_out
    from {{ rows_ }}
    where nama is not null
    group by all
),

golden_name as (
    select person_id, nama
    from name_votes
    qualify row_number() over (
        partition by person_id order by n_rows desc, written_out desc, length(nama) desc, nama
    ) = 1
),

-- Birth date: one that agrees with the winning NIK's DDMMYY beats one that does not (the NIK is fixed at
-- registration, a typed date is not); then the date most rows carry; then the earliest.
dob_votes as (
    select
        rows_.person_id,
        rows_.tanggal_lahir,
        count(*) as n_rows,
        bool_or({{ nik_fits_date('golden_nik.nik', 'rows_.tanggal_lahir') }}) as agrees_with_nik
    from {{ rows_ }}
    left join golden_nik using (person_id)
    where rows_.tanggal_lahir is not null
    group by all
),

golden_dob as (
    select person_id, tanggal_lahir
    from dob_votes
    qualify row_number() over (
        partition by person_id order by agrees_with_nik desc nulls last, n_rows desc, tanggal_lahir
    ) = 1
),

-- Sex: the most frequent among the rows; a tie goes to the winning NIK's +40 rule.
sex_votes as (
    select
        rows_.person_id,
        rows_.jenis_kelamin,
        (cast(substr(golden_nik.nik, 7, 2) as integer) > 40) = (rows_.jenis_kelamin = 'P') as agrees_with_nik,
        count(*) as n_rows
    from {{ rows_ }}
    left join golden_nik using (person_id)
    where rows_.jenis_kelamin is not null
    group by all
),

golden_sex as (
    select person_id, jenis_kelamin
    from sex_votes
    qualify row_number() over (
        partition by person_id order by n_rows desc, agrees_with_nik desc nulls last, jenis_kelamin
    ) = 1
),

-- Address: a resolved address beats an unresolved one; then the most recent domicile source (CARIK, kept up to
-- date by Dasawisma cadres, then P3KE, then DTKS); then the first row of the file.
golden_address as (
    select person_id, alamat, rt, rw, address_resolution, kode_kelurahan, kode_kelurahan_bps, kelurahan,
           kecamatan, kabkota
    from {{ rows_ }}
    qualify row_number() over (
        partition by person_id
        order by address_resolution = 'unresolved', domicile_rank, source_row
    ) = 1
),

-- No. KK: a valid KK from the most recent domicile source.
golden_kk as (
    select person_id, no_kk
    from {{ rows_ }}
    where kk_valid
    qualify row_number() over (partition by person_id order by domicile_rank, source_row) = 1
),

per_person as (
    select
        person_id,
        count(*) as n_rows,
        -- Every valid NIK on the person's rows: the registries are also tried on the golden NIK's typo variants.
        list_sort(list_distinct(list(nik) filter (where nik_valid))) as row_niks,
        -- Every spelling of the name on the person's rows: a registry record may carry any of them.
        list_sort(list_distinct(list(nama) filter (where nama is not null))) as row_names,
        -- Lists, not string_agg(distinct ... order by ...), which sorts per person and cost twice as much.
        array_to_string(list_sort(list_distinct(list(upper(source)))), ',') as sumber,
        min(desil) as desil,
        bool_or(nik_valid) as any_valid_nik,
        -- One split of the person's joined program lists, not one per row (listagg skips nulls).
        list_sort(list_distinct(list_transform(
            string_split({{ dbt.listagg('program_bansos', "','") }}, ','), lambda p: trim(p)
        ))) as programs
    from {{ rows_ }}
    group by person_id
)

select
    per_person.person_id,
    golden_nik.nik,
    golden_kk.no_kk,
    golden_name.nama,
    golden_sex.jenis_kelamin,
    golden_dob.tanggal_lahir,
    golden_address.alamat,
    golden_address.rt,
    golden_address.rw,
    golden_address.address_resolution,
    golden_address.kode_kelurahan,
    golden_address.kode_kelurahan_bps,
    golden_address.kelurahan,
    golden_address.kecamatan,
    golden_address.kabkota,
    per_person.sumber,
    per_person.desil,
    nullif(array_to_string(list_filter(per_person.programs, lambda p: p <> ''), ','), '') as program_bansos,
    per_person.any_valid_nik,
    per_person.n_rows,
    per_person.row_niks,
    per_person.row_names,
    -- The person's other NIKs one digit or one adjacent swap from the golden NIK: typos of it on some rows.
    -- Most people have one NIK, the golden one: no lambda over their list.
    case when len(per_person.row_niks) = 1 then cast([] as varchar[]) else list_filter(
        per_person.row_niks, lambda n: n <> golden_nik.nik and damerau_levenshtein(n, golden_nik.nik) = 1
    ) end as nik_variants,
    -- The golden NIK's digits 7-12 agree with the golden birth date and sex (+40 for women): whose NIK it is.
    (
        cast(substr(golden_nik.nik, 7, 2) as integer)
            = day(golden_dob.tanggal_lahir) + case golden_sex.jenis_kelamin when 'P' then 40 else 0 end
        and substr(golden_nik.nik, 9, 4) = strftime(golden_dob.tanggal_lahir, '%m%y')
    ) as nik_fits_person
from per_person
left join golden_nik using (person_id)
left join golden_kk using (person_id)
left join golden_name using (person_id)
left join golden_sex using (person_id)
left join golden_dob using (person_id)
left join golden_address using (person_id)
