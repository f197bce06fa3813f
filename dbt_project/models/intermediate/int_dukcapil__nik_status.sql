-- Each NIK's civil-registry status as the extract knows it: a death, else its latest move or deactivation.
--
-- The registries are pulled after the quarter closes (docs/landing_contract.md, "When the registries are
-- pulled"), so an event dated after the quarter's last day is normal: it counts. BPS receives the list weeks after
-- the quarter, and someone known dead (or gone from DKI) by then must not be sent. The rule, which the gate's flags
-- (orchestration/defs/quality/frames.py, REGISTRY_FLAGS_SQL) repeat from staging on their own:
--   * a death record at any date, or without a readable date, is a death;
--   * otherwise the NIK's latest PINDAH_KELUAR / PINDAH_DALAM_DKI / NONAKTIF by (date, source_row) counts, a move
--     without a readable date ranking below every dated one; a PINDAH_DALAM_DKI after a PINDAH_KELUAR is a return
--     into Jakarta, so the person is resident again.
-- Event dates too far after the quarter for any extract of it are rejected in staging (date_after_extract): they
-- are null here, so they never decide which move is the latest.
with

events as (
    {{ registry_events(ref('stg_dukcapil__deaths'), ref('stg_dukcapil__moves')) }}
),

ranked as (
    select *, {{ registry_event_rank('nik') }} as rank_in_nik
    from events
)

select
    nik,
    status as registry_status,
    event_date as registry_event_date,
    -- Known from the extract but dated after the quarter: the reports count the exclusions that rest on these.
    coalesce(event_date > {{ quarter_last_day() }}, false) as registry_event_after_quarter,
    -- The registry row that counts, so that the ledger gives every registry row its fate from this one rule.
    registry_source,
    source_row as registry_source_row
from ranked
where rank_in_nik = 1
