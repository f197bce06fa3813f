-- Jakarta's 44 kecamatan by region key (KEC. GAMBIR, Kecamatan Gambir and GAMBIR are one key), with the aliases.
with

kecamatan as (
    select distinct kode_kecamatan, kecamatan, kode_kabkota from {{ ref('dki_kelurahan') }}
),

aliases as (
    select * from {{ ref('region_aliases') }} where level = 'kecamatan'
),

spellings as (
    select {{ region_key('kecamatan', 'kecamatan') }} as kecamatan_key, kode_kecamatan from kecamatan
    union
    select {{ region_key('alias', 'kecamatan') }}, kode from aliases
)

select
    spellings.kecamatan_key,
    spellings.kode_kecamatan,
    kecamatan.kode_kabkota
from spellings
inner join kecamatan using (kode_kecamatan)
