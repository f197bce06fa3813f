with

source as (
    select * from {{ source('raw', 'p3ke') }}
),

renamed as (
    select
        ---------- ids
        'p3ke' as source,
        source_row,
        id_individu as source_record_id,
        -- An Excel number cell kept 15 significant digits: the NIK's 16th digit is lost, so it is no NIK.
        case
            when not list_contains(string_split(coalesce(numeric_cells, ''), ','), 'nik') then {{ clean_id('nik') }}
        end as nik,
        cast(null as varchar) as no_kk,
        nik is not null and (
            list_contains(string_split(coalesce(numeric_cells, ''), ','), 'nik') or {{ clean_id('nik') }} is null
        ) as nik_malformed,
        -- YA: the NIK was matched to Dukcapil when P3KE was built.
        upper(trim(padan_dukcapil)) = 'YA' as padan_dukcapil,

        ---------- strings
        nama_lengkap as nama_raw,
        cast(null as varchar) as tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
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

        ---------- dates
        {{ parse_date('tanggal_lahir') }} as tanggal_lahir,
        tanggal_lahir is not null and {{ parse_date('tanggal_lahir') }} is null as tanggal_lahir_unparsed,

        ---------- numbers
        try_cast(desil_kesejahteraan as integer) as desil

    from source
)

select * from renamed
