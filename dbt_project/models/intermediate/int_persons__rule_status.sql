-- Every person of the quarter with their golden record and the status the rules give: eligible, or why they are
-- excluded. Human decisions (field results, appeals, the verification policy) are applied on top in marts.persons.
{#- The golden records are read straight from the table by each part: a `golden` CTE read eight times was copied
    whole, every column and list, and spilled to disk at 10M rows (7.4 GB). -#}
{%- set golden_ = ref('int_persons__golden') ~ ' as golden' %}
with

nik_status as (
    select * from {{ ref('int_dukcapil__nik_status') }}
),

-- Registry names cleaned once, the way list names are, to compare with the golden name.
-- The near-NIK joins compare names by their matching key (match_name): Dukcapil keeps the pre-1972 spellings
-- (SOETANTO) that the lists write modern (SUTANTO).
deaths as (
    select *, {{ clean_name('nama_raw') }} as nama, {{ match_name(clean_name('nama_raw')) }} as nama_key
    from {{ ref('stg_dukcapil__deaths') }}
),

moves as (
    select *, {{ clean_name('nama_raw') }} as nama, {{ match_name(clean_name('nama_raw')) }} as nama_key
    from {{ ref('stg_dukcapil__moves') }}
),

-- NIK ganda: two people under one golden NIK (a member listed under the head's or a sibling's NIK, with no row of
-- their own NIK). The person whose birth date and sex fit the NIK keeps it; then the one with more rows; then the
-- smaller person_id. The others are excluded as `nik_conflict` and listed for field verification: the submission
-- lists each NIK once, and sending one person under another's NIK would count the NIK's owner twice.
nik_holders as (
    select
        person_id,
        nik,
        first_value(person_id) over holders as nik_held_by,
        row_number() over holders as holder_rank
    from {{ golden_ }}
    where nik is not null
    window holders as (partition by nik order by coalesce(nik_fits_person, false) desc, n_rows desc, person_id)
),

-- A sole holder of a NIK whose date digits are far from their birth date (nik_is_another_persons) carries
-- somebody else's NIK, whose owner is in no list (a member listed under the head's NIK): publishing them under it
-- would send BPS the owner, and their own NIK's registry events could not be seen. Excluded the same way.
nik_conflicts as (
    select person_id, nik_held_by from nik_holders where holder_rank > 1
    union all
    select golden.person_id, cast(null as varchar)
    from {{ golden_ }}
    inner join nik_holders using (person_id)
    where nik_holders.holder_rank = 1 and golden.tanggal_lahir is not null
        and {{ nik_is_another_persons_on_date('golden.nik', 'golden.tanggal_lahir') }}
),

-- The NIK the registries are matched on: the golden NIK, else a typo variant of it on one of the person's rows
-- (a death recorded under the true NIK while the vote chose a mistyped one), never another person's golden NIK.
variant_status as (
    select golden.person_id, variant.nik
    from {{ golden_ }}
    cross join unnest(golden.nik_variants) as variant (nik)
    inner join nik_status on nik_status.nik = variant.nik
    where variant.nik not in (select nik from {{ ref('int_persons__golden') }} where nik is not null)
    qualify row_number() over (partition by golden.person_id order by variant.nik) = 1
),

registry_nik as (
    select
        golden.person_id,
        case when direct.nik is not null then golden.nik else variant_status.nik end as nik
    from {{ golden_ }}
    left join nik_status as direct on direct.nik = golden.nik
    left join variant_status using (person_id)
),

-- Each person with a NIK once per spelling of their name on their rows, for the near-NIK joins below (unnest in
-- the select list: a lateral unnest per join planned three correlated joins over every person).
spellings as (
    select person_id, nik, tanggal_lahir, nik_fits_person, {{ match_name('spelling') }} as nama_key
    from (
        select person_id, nik, tanggal_lahir, nik_fits_person, unnest(coalesce(row_names, [nama])) as spelling
        from {{ golden_ }}
        where nik is not null
    )
),

-- Each NIK a list row carries, with each name (by its key) of the person whose rows carry it (a person with a row
-- NIK has a golden one, so spellings has them all).
listed_names as (
    select distinct niks.nik, spellings.nama_key
    from (select person_id, unnest(row_niks) as nik from {{ ref('int_persons__golden') }}) as niks
    inner join spellings using (person_id)
),

-- The registry records no list row carries under their own name: their NIK is on no list, or it is another listed
-- person's (the registry mistyped it into theirs) whose rows never give the record's name. Only these may go to a
-- person one NIK edit away (the near-NIK joins below). A record under a listed NIK still excludes that NIK's holder:
-- Dukcapil holds the NIK as the record says, and the gate would stop it.
{%- for records in ['deaths', 'moves'] %}
{% if not loop.first %}
{% endif -%}
unclaimed_{{ records }} as (
    select *, nik in (select nik from listed_names) as under_listed_nik
    from {{ records }}
    where not exists (
        select 1 from listed_names
        where listed_names.nik = {{ records }}.nik and listed_names.nama_key = {{ records }}.nama_key
    )
),
{%- endfor %}

-- What the records under a listed NIK say of the person they name (when its rows never give that name): their own
-- events, ranked as int_dukcapil__nik_status ranks a NIK's, never the holder's. The NIK's status is the strongest
-- of two people's events: the holder's death would make the person's move out a death, and the holder's later move
-- within DKI would hide it. A record under a NIK no list carries takes the NIK's status: nobody else's is there.
stray_status as (
    select nik, nama_key, status as registry_status
    from ({{ registry_events('unclaimed_deaths', 'unclaimed_moves', ['nama_key', 'under_listed_nik']) }}) as events
    where under_listed_nik
    qualify {{ registry_event_rank('nik, nama_key') }} = 1
),

-- A registry record under a NIK one digit or one adjacent swap from the person's NIK that no list row carries
-- under the record's name, with the same name (any spelling on the person's rows) and birth date (deaths; moves
-- carry no birth date, so the name and the one edit must do): the person's own record, the list's NIK mistyped or
-- the registry's (into a NIK nobody listed holds, or into another listed person's). Excluded with a reason of
-- its own and listed for field verification, so a wrong match (a namesake registered next in the kecamatan) can be
-- undone. For deaths the birth date may differ by one typed error within the year (a digit of day or month, day
-- and month swapped, the 1 January filler), and the NIKs may be two edits apart when one of them contradicts its
-- own row's birth date (both files mistyped it; two namesakes' NIKs each fit their own row).
-- Also when the two NIKs differ in the region (digits 1-6), although namesakes share digits 7-12 (one birth date)
-- and serials restart at 0001 in every kecamatan, so a namesake registered in a neighbouring kecamatan has such a
-- near NIK: paying the dead is the costlier error, and the field visit undoes a wrong match. The report says which
-- matches differ in the region (near_registry_other_region), the likelier namesakes.
-- Moves carry no birth date, so the name alone would pair every namesake in the lists with every namesake in the
-- registry: a join that grows with the square of the rows (a common name at 10 million rows). Two 16-digit NIKs one
-- edit apart (a digit, or two adjacent digits swapped) share their first seven digits or their last seven, so the
-- join is on the name and one of those, twice, and `union` drops the pairs both find.
-- The same one-edit join finds a death of a person whose birth date is unknown (unreadable in every list row): the
-- evidence a move gets. A move's NIK must also fit the person, since the one edit may be in the NIK's own date
-- digits (a year typed 67 for 77), and a sole holder of another's NIK never fits.
-- Measured and not kept: also a name one edit away where the rest agrees exactly (the birth date; for a move the
-- NIK's date digits) found 2 more of the 10 leaks of a generated 1M quarter and excluded 11 living people, 10 of
-- them twins or siblings (born the same day, serials one apart, names a letter apart).
{%- set one_edit_registries = [
    {
        'records': 'moves',
        'file': 'dukcapil_pindah',
        'person_fits': "and not coalesce("
            ~ nik_is_another_persons_on_date('golden.nik', 'golden.tanggal_lahir') ~ ", false)",
        'identity': "true",
        'evidence': "record_status in ('PINDAH_KELUAR', 'NONAKTIF', 'MENINGGAL')",
    },
    {
        'records': 'deaths',
        'file': 'dukcapil_kematian',
        'person_fits': '',
        'identity': "golden.tanggal_lahir is null",
        'evidence': "record_status = 'MENINGGAL'",
    },
] %}
near_one_edit as (
    {%- for registry in one_edit_registries %}
    {%- set records = registry['records'] %}
    {%- set first_registry = loop.first %}
    {%- set record_status = '(case when ' ~ records ~ '.under_listed_nik then stray_status.registry_status '
        ~ 'else nik_status.registry_status end)' %}
    {%- for side in ['left', 'right'] %}
    {% if not (first_registry and loop.first) %}union{% endif %}
    select
        golden.person_id,
        {{ records }}.nik as near_registry_nik,
        '{{ registry["file"] }}' as near_registry_file,
        {{ records }}.source_row as near_registry_row,
        substr({{ records }}.nik, 1, 6) <> substr(golden.nik, 1, 6) as other_region,
        {{ record_status }} as registry_status,
        {{ registry['evidence'] | replace('record_status', record_status) }} as is_evidence
    from spellings as golden
    inner join unclaimed_{{ records }} as {{ records }}
        on {{ records }}.nama_key = golden.nama_key
        and {{ side }}({{ records }}.nik, 7) = {{ side }}(golden.nik, 7)
        and {{ records }}.nik <> golden.nik
        and damerau_levenshtein({{ records }}.nik, golden.nik) = 1
        {{ registry['person_fits'] }}
    inner join nik_status on nik_status.nik = {{ records }}.nik
    left join stray_status
        on stray_status.nik = {{ records }}.nik and stray_status.nama_key = {{ records }}.nama_key
    where {{ registry['identity'] }}
    {%- endfor %}
    {%- endfor %}
),

near_matches as (
    select
        golden.person_id,
        deaths.nik as near_registry_nik,
        'dukcapil_kematian' as near_registry_file,
        deaths.source_row as near_registry_row,
        substr(deaths.nik, 1, 6) <> substr(golden.nik, 1, 6) as other_region,
        nik_status.registry_status,
        true as is_evidence
    from spellings as golden
    inner join unclaimed_deaths as deaths
        on deaths.nama_key = golden.nama_key
        and year(deaths.tanggal_lahir) = year(golden.tanggal_lahir)
        and deaths.nik <> golden.nik
        and damerau_levenshtein(deaths.nik, golden.nik) <= 2
    inner join nik_status on nik_status.nik = deaths.nik
    where (
            {{ birth_dates_one_typo_apart('deaths.tanggal_lahir', 'golden.tanggal_lahir') }}
            or strftime(golden.tanggal_lahir, '%m-%d') = '01-01'
        )
        and (
            damerau_levenshtein(deaths.nik, golden.nik) = 1
            or not coalesce(golden.nik_fits_person, true)
            or not {{ nik_fits_date('deaths.nik', 'deaths.tanggal_lahir') }}
        )
    union all
    select * from near_one_edit
),

-- The events a holder's status is ranked from: those under the NIK that no other listed person's near-NIK match
-- takes, whether or not it excludes them (a record in another listed person's name is theirs). The holder takes
-- their own when these exclude (their move out is neither hidden by a neighbour's later move within DKI under their
-- NIK nor made a death by the neighbour's death), or when neither these nor the NIK's status exclude; otherwise
-- the NIK's status: Dukcapil holds the NIK as dead or gone, and the gate would stop it. `decides`: the status rests
-- on the holder's own events or excludes, so a near-NIK match does not replace it (a neighbour's move within DKI
-- under their NIK does not hide their own death under a near NIK).
holders_events as (
    select nik, status, event_date, registry_source, source_row
    from ({{ registry_events('deaths', 'moves') }}) as events
    where not exists (
        select 1 from near_matches
        where near_matches.near_registry_file = events.registry_source
            and near_matches.near_registry_row = events.source_row
    )
    qualify {{ registry_event_rank('nik') }} = 1
),

{%- set excluding = "('MENINGGAL', 'PINDAH_KELUAR', 'NONAKTIF')" %}

holder_status as (
    select
        nik,
        {%- for column, own in [('registry_status', 'status'), ('registry_event_date', 'event_date'),
                                ('registry_source', 'registry_source'), ('registry_source_row', 'source_row')] %}
        case when own then own_{{ own }} else {{ column }} end as {{ column }},
        {%- endfor %}
        case when own then coalesce(own_event_date > {{ quarter_last_day() }}, false)
            else registry_event_after_quarter end as registry_event_after_quarter,
        own or registry_status in {{ excluding }} as decides
    from (
        select
            nik_status.*,
            holders.status as own_status,
            holders.event_date as own_event_date,
            holders.registry_source as own_registry_source,
            holders.source_row as own_source_row,
            holders.status is not null
                and (holders.status in {{ excluding }} or nik_status.registry_status not in {{ excluding }}) as own
        from nik_status
        left join holders_events as holders using (nik)
    )
),

-- A person the linkage left in two parts: a part with the NIK the registry names, excluded by it, and a row of the
-- same household (KK) and name with a NIK one edit from it, whose birth date the NIK comparison could not use (a
-- 1 January filler, or none), left a person of its own. The record is claimed by the first part, so the near-NIK
-- joins above never see it. The second part takes the first's status as a near-NIK match, for the field visit.
-- Only within one KK: on a generated 1M quarter, same-name people one edit from a claimed record's NIK in other
-- households were 23 living residents against 1 such part; within the KK, 0 against 1. Birth dates known on both
-- sides must be one typed error apart at most: a father and son of one name, born on one day of the year and with
-- equal serials, hold NIKs one digit apart.
--
-- The listed people the registries exclude, with the NIK and status they are excluded under: few against all the
-- listed, so the KK join below probes every person against them (planned from the whole KK self-join, it paired
-- every two people of a KK at 10M rows before the status was tested: 17 s of CPU for 14 pairs).
excluded_holders as (
    select holder.person_id, holder.no_kk, holder.tanggal_lahir, holder_status.*
    from {{ ref('int_persons__golden') }} as holder
    inner join registry_nik on registry_nik.person_id = holder.person_id
    inner join holder_status on holder_status.nik = registry_nik.nik
    where holder_status.registry_status in {{ excluding }} and holder.no_kk is not null
),

split_pairs as (
    select
        part.person_id,
        holder.person_id as holder_id,
        part.nik as part_nik,
        holder.nik,
        holder.registry_status,
        holder.registry_source,
        holder.registry_source_row
    from excluded_holders as holder
    inner join {{ ref('int_persons__golden') }} as part
        on part.no_kk = holder.no_kk
        and part.person_id <> holder.person_id
        and part.nik <> holder.nik
        and damerau_levenshtein(part.nik, holder.nik) = 1
    where part.tanggal_lahir is null or holder.tanggal_lahir is null
        or strftime(part.tanggal_lahir, '%m-%d') = '01-01'
        or strftime(holder.tanggal_lahir, '%m-%d') = '01-01'
        or (year(part.tanggal_lahir) = year(holder.tanggal_lahir)
            and {{ birth_dates_one_typo_apart('part.tanggal_lahir', 'holder.tanggal_lahir') }})
),

-- The name keys of the pairs' people only (an `in` list is hashed on its own side whatever the planner estimates;
-- the spellings joined to the pairs were joined to each other on the key first, 254M rows at 10M).
pair_name_keys as (
    select person_id, list(distinct nama_key) as keys
    from spellings
    where person_id in (select person_id from split_pairs) or person_id in (select holder_id from split_pairs)
    group by person_id
),

-- a name (by its key) on both
split_parts as (
    select
        pairs.person_id,
        pairs.nik as near_registry_nik,
        pairs.registry_source as near_registry_file,
        pairs.registry_source_row as near_registry_row,
        substr(pairs.nik, 1, 6) <> substr(pairs.part_nik, 1, 6) as other_region,
        pairs.registry_status,
        true as is_evidence,
        true as split_part
    from split_pairs as pairs
    inner join pair_name_keys as part_names on part_names.person_id = pairs.person_id
    inner join pair_name_keys as holder_names on holder_names.person_id = pairs.holder_id
    where list_has_any(part_names.keys, holder_names.keys)
),

near_match as (
    select
        person_id,
        registry_status as near_registry_status,
        near_registry_nik,
        near_registry_file,
        near_registry_row,
        other_region as near_registry_other_region,
        split_part as near_registry_split_part
    from (
        select *, false as split_part from near_matches
        union all
        select * from split_parts
    )
    where is_evidence
    -- a registry record one edit from the person's NIK first, then a part of a person split by the linkage
    qualify row_number() over (
        partition by person_id
        order by split_part, other_region, registry_status, near_registry_file, near_registry_row
    ) = 1
),

-- Same name and birth date as a death record with another NIK: not proof of death (namesakes are common), so the
-- person stays and is only counted for field verification.
death_namesakes as (
    select distinct golden.person_id
    from {{ golden_ }}
    inner join deaths
        on deaths.nama = golden.nama
        and deaths.tanggal_lahir = golden.tanggal_lahir
        and deaths.nik is distinct from golden.nik
        -- a death under a NIK of the person's own rows is theirs (matched through registry_nik), not a namesake's
        and not list_contains(coalesce(golden.row_niks, []), deaths.nik)
)

select
    golden.*,
    holder_status.registry_status,
    holder_status.registry_event_date,
    -- The event is dated after the quarter's last day (the extract is pulled later): still binding, and counted.
    coalesce(holder_status.registry_event_after_quarter, false) as registry_event_after_quarter,
    -- The registry row the status rests on (record_ledger applies it; the NIK's other rows are superseded by it).
    holder_status.registry_source,
    holder_status.registry_source_row,
    -- The NIK the registry status was found under: the golden NIK, or a typo variant of it on the person's rows.
    registry_nik.nik as registry_nik,
    -- The registries are matched on the NIK: it is the one identifier Dukcapil guarantees to be the same person.
    -- Name and birth date would also remove living namesakes of the dead (same name and birth date, another NIK).
    -- `status`, and `status_if_verified`: the status once a field visit or an upheld appeal has undone an
    -- exclusion that rests on a near NIK (the person is not the registry's record), the same rules without it.
    {%- for column, near_nik in [('status', true), ('status_if_verified', false)] %}
    case
        -- NIK ganda and near-NIK registry matches (docs/survivorship.md); a status that rests on the person's
        -- own NIK (holder_status.decides) outranks one under a near NIK.
        when nik_conflicts.person_id is not null then 'nik_conflict'
        {%- if near_nik %}
        when not coalesce(holder_status.decides, false)
            and near_match.near_registry_status = 'MENINGGAL' then 'deceased_near_nik'
        when not coalesce(holder_status.decides, false)
            and near_match.near_registry_status = 'PINDAH_KELUAR' then 'moved_out_near_nik'
        when not coalesce(holder_status.decides, false)
            and near_match.near_registry_status = 'NONAKTIF' then 'nik_deactivated_near_nik'
        {%- endif %}
        when holder_status.registry_status = 'MENINGGAL' then 'deceased'
        when holder_status.registry_status = 'PINDAH_KELUAR' then 'moved_out'
        when holder_status.registry_status = 'NONAKTIF' then 'nik_deactivated'
        when golden.address_resolution = 'outside_dki' then 'outside_dki'
        when not golden.any_valid_nik then 'invalid_nik'
        -- No row has a name with a letter in it (name_no_letters): BPS cannot take the record; field verification.
        when golden.nama is null then 'no_name'
        when golden.address_resolution = 'unresolved' then 'unresolved_kelurahan'
        else 'eligible'
    end as {{ column }},
    {%- endfor %}
    death_namesakes.person_id is not null as death_namesake,
    near_match.near_registry_status,
    near_match.near_registry_nik,
    near_match.near_registry_file,
    near_match.near_registry_row,
    coalesce(near_match.near_registry_other_region, false) as near_registry_other_region,
    -- The near match is a part of this person that the linkage left apart (split_parts), not a registry record.
    coalesce(near_match.near_registry_split_part, false) as near_registry_split_part,
    nik_conflicts.nik_held_by
from {{ golden_ }}
left join registry_nik using (person_id)
left join holder_status on holder_status.nik = registry_nik.nik
left join nik_conflicts using (person_id)
left join death_namesakes using (person_id)
left join near_match using (person_id)
