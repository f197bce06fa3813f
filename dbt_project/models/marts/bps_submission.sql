-- The people eligible this quarter, in the columns of the BPS (DTSEN) submission.
with

persons as (
    select * from {{ ref('persons') }}
)

select
    person_id,
    nik,
    no_kk,
    nama,
    jenis_kelamin,
    strftime(tanggal_lahir, '%Y-%m-%d') as tanggal_lahir,
    alamat,
    rt,
    rw,
    kode_kelurahan,
    kode_kelurahan_bps,
    kelurahan,
    kecamatan,
    kabkota,
    sumber,
    cast(desil as varchar) as desil,
    program_bansos
from persons
where status = 'eligible'
