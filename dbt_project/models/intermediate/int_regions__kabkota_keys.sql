-- Every kab/kota of Indonesia by name key, to tell an address outside Jakarta from an unreadable one; with the
-- reviewed aliases of Jakarta's six (JAKTIM, KEP. SERIBU).
with

kabkota as (
    select distinct kode_kabkota, kabkota, kode_provinsi from {{ ref('kemendagri_kecamatan') }}
),

aliases as (
    select kode as kode_kabkota, alias as kabkota, '31' as kode_provinsi
    from {{ ref('region_aliases') }}
    where level = 'kabkota'
),

named as (
    select * from kabkota
    union all
    select * from aliases
)

select
    {{ kabkota_key('kabkota') }} as kabkota_key,
    -- Kota and Kabupaten Bekasi share a key; both are outside Jakarta, which is all this table has to say.
    bool_or(kode_provinsi = '31') as is_dki,
    min(kode_kabkota) as kode_kabkota
from named
group by 1
