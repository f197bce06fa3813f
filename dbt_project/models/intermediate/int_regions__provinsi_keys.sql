-- Indonesia's 38 provinces by region key. Only another province's name can say "outside DKI", and only when neither
-- the kelurahan nor the kab/kota written beside it is in Jakarta; Jakarta's own names (DKI, DKJ, Daerah Khusus
-- Jakarta since UU 2/2024) never decide anything, so they need no list.
select distinct
    {{ region_key('provinsi', 'provinsi') }} as provinsi_key,
    kode_provinsi = '31' as is_dki
from {{ ref('kemendagri_kecamatan') }}
