-- Each NIK's civil-registry status at the quarter's last day: a death, else its latest move or deactivation.
with

deaths as (
    select * from {{ ref('stg_dukcapil__deaths') }}
    where nik is not null and coalesce(tanggal_kematian, {{ quarter_first_day() }}) <= {{ quarter_last_day() }}
),

moves as (
    select * from {{ ref('stg_dukcapil__moves') }}
    where nik is not null and coalesce(tanggal_pindah, {{ quarter_first_day() }}) <= {{ quarter_last_day() }}
),

events as (
    select nik, 'MENINGGAL' as status, tanggal_kematian as event_date, 1 as precedence, source_row,
        'dukcapil_kematian' as registry_source
    from deaths
    union all
    select nik, status_pindah, tanggal_pindah, 2, source_row, 'dukcapil_pindah'
    from moves
    where status_pindah in ('PINDAH_KELUAR', 'PINDAH_DALAM_DKI', 'NONAKTIF')
),

-- A death outranks any move; among moves the latest counts (a person may move out and come back).
ranked as (
    select
        *,
        row_number() over (
            partition by nik order by precedence, event_date desc nulls last, source_row desc
        ) as rank_in_nik
    from events
)

select
    nik,
    status as registry_status,
    event_date as registry_event_date,
    -- The registry row that counts, so that the ledger gives every registry row its fate from this one rule.
    registry_source,
    source_row as registry_source_row
from ranked
where rank_in_nik = 1
