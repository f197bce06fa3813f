with

source as (
    select
        *,
        list_contains(string_split(coalesce(numeric_cells, ''), ','), 'nik') as nik_was_number
    from {{ source('raw', 'p3ke') }}
),

renamed as (
    select
        ---------- ids
        'p3ke' as source,
        source_row,
        id_individu as source_record_id,
        -- An Excel number cell kept 15 significant digits: the NIK's 16th digit is lost, so it is no NIK.
        case when not nik_was_number then {{ clean_id('nik') }} end as nik,
        coalesce(
            {{ id_issue('nik') }},
            case when nik_was_number then 'id_spreadsheet_number' end
        ) as nik_issue,
        case when not nik_was_number then {{ id_note('nik') }} end as nik_note,
        cast(null as varchar) as no_kk,
        -- YA: the NIK was matched to Dukcapil when P3KE was built.
        upper(trim(padan_dukcapil)) = 'YA' as padan_dukcapil,

        ---------- strings
        nama_lengkap as nama_raw,
        cast(null as varchar) as tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
        {{ rejected_as('jenis_kelamin', clean_sex('jenis_kelamin'), 'sex_unrecognised') }} as jenis_kelamin_issue,
        upper(trim(hubungan_dengan_kepala_keluarga)) as hubungan_keluarga,
        cast(null as varchar) as nama_ibu_kandung,
        cast(null as varchar) as program_bansos,

        ---------- address
        alamat,
        cast(null as varchar) as rt,
        cast(null as varchar) as rw,
        provinsi as provinsi_raw,
        kabupaten as kabkota_raw,
        kecamatan as kecamatan_raw,
        desa_kelurahan as kelurahan_raw,
        case when regexp_full_match(trim(kode_kemendagri), '[0-9]{10}') then trim(kode_kemendagri) end
            as kode_kelurahan_raw,
        {{ rejected_as(
            'kode_kemendagri',
            "case when regexp_full_match(trim(kode_kemendagri), '[0-9]{10}') then 1 end",
            'kode_not_10_digits'
        ) }} as kode_kelurahan_issue,

        ---------- dates
        {{ birth_date('tanggal_lahir') }} as tanggal_lahir,
        {{ birth_date_issue('tanggal_lahir') }} as tanggal_lahir_issue,

        ---------- numbers
        {{ clean_desil('desil_kesejahteraan') }} as desil,
        {{ desil_issue('desil_kesejahteraan') }} as desil_issue

    from source
)

select * from renamed
