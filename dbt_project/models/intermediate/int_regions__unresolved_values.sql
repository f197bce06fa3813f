-- The region values written on list rows whose address resolved nowhere, by count, so that the alias table can grow.
-- Region names only, upper-cased with blanks collapsed; a value with digits in it is not shown (it may be a NIK).
with

conformed as (
    select record_id, source, address_resolution from {{ ref('int_persons__conformed') }}
),

unioned as (
    select record_id, provinsi_raw, kabkota_raw, kecamatan_raw, kelurahan_raw from {{ ref('int_persons__unioned') }}
)

select
    conformed.source,
    {{ written_region('unioned.provinsi_raw') }} as provinsi_written,
    {{ written_region('unioned.kabkota_raw') }} as kabkota_written,
    {{ written_region('unioned.kecamatan_raw') }} as kecamatan_written,
    {{ written_region('unioned.kelurahan_raw') }} as kelurahan_written,
    count(*) as n_rows
from conformed
inner join unioned using (record_id)
where conformed.address_resolution = 'unresolved'
group by all
