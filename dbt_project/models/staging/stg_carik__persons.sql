with

source as (
    select * from {{ source('raw', 'carik') }}
),

renamed as (
    select
        ---------- ids
        'carik' as source,
        source_row,
        cast(null as varchar) as source_record_id,
        {{ clean_id('nik') }} as nik,
        {{ id_issue('nik') }} as nik_issue,
        {{ id_note('nik') }} as nik_note,
        {{ clean_id('no_kk') }} as no_kk,
        {{ id_issue('no_kk') }} as no_kk_issue,
        {{ id_note('no_kk') }} as no_kk_note,
        cast(null as boolean) as padan_dukcapil,

        ---------- strings
        nama_lengkap as nama_raw,
        tempat_lahir,
        {{ clean_sex('jenis_kelamin') }} as jenis_kelamin,
        {{ rejected_as('jenis_kelamin', clean_sex('jenis_kelamin'), 'sex_unrecognised') }} as jenis_kelamin_issue,
        upper(trim(status_hubungan)) as hubungan_keluarga,
        cast(null as varchar) as nama_ibu_kandung,
        cast(null as varchar) as program_bansos,

        ---------- address
        alamat_domisili as alamat,
        {{ pad_rt_rw('rt') }} as rt,
        {{ rt_rw_issue('rt') }} as rt_issue,
        {{ pad_rt_rw('rw') }} as rw,
        {{ rt_rw_issue('rw') }} as rw_issue,
        cast(null as varchar) as provinsi_raw,
        kota as kabkota_raw,
        kecamatan as kecamatan_raw,
        kelurahan as kelurahan_raw,
        cast(null as varchar) as kode_kelurahan_raw,

        ---------- dates
        {{ birth_date('tanggal_lahir') }} as tanggal_lahir,
        {{ birth_date_issue('tanggal_lahir') }} as tanggal_lahir_issue,

        ---------- numbers
        cast(null as integer) as desil

    from source
)

select * from renamed
