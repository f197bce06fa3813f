"""The registry rules on quarters from an independent maker (tests/linkage/registry_cases.py), at three sets of rates,
through the real quarterly job: which registry records reach their person, and which living people they wrongly take.

A record the rules claim to match (docs/survivorship.md) must stop its person's publication; a living person must
stay, except where no rule could tell them from the record's person (a namesake one NIK edit away, a record typed
with their name, a record under their own NIK). What the rules do not claim (a mistyped NIK and a mistyped name in
one record, the old KH written CH) is counted and printed, not asserted: the figures show what the rule misses.
Output: counts only.
"""

from __future__ import annotations

import collections
import csv
from dataclasses import dataclass

import dagster as dg
import duckdb
import pytest

from tests.conftest import FORMATS, HEADERS, QUARTER, write_csv, write_landing
from tests.linkage.registry_cases import RATES, Event, Quarter, make_quarter

HOUSEHOLDS = 450
EXCLUDED = {"MENINGGAL": {"excluded_deceased", "excluded_deceased_near_nik"},
            "PINDAH_KELUAR": {"excluded_moved_out", "excluded_moved_out_near_nik"},
            "NONAKTIF": {"excluded_moved_out", "excluded_moved_out_near_nik"}}
ANY_REGISTRY_EXCLUSION = set().union(*EXCLUDED.values())
# Errors the rules claim to see through, on top of one NIK edit on the list or the registry side (the near-NIK
# match): the old spellings the matching key undoes, a title, a birth date no list row gives, and for a death a
# birth date one typed error off.
SEEN_THROUGH = {"old_spelling", "title", "list_undated", "registry_dob_typo"}
NIK_EDITS = {"list_nik_edit", "row_nik_edit", "registry_nik_edit", "registry_nik_neighbour"}


@dataclass
class Outcome:
    rates: str
    quarter: Quarter
    fates: dict[str, set[str]]  # listed person -> the fates of their list rows
    other_region: dict[str, bool]  # listed person -> their near-NIK match differs in the region
    pids: dict[str, set[str]]  # listed person -> their person_ids
    registry: dict[tuple[str, int], tuple[str, str, str]]  # registry row -> (fate, reason, person_id)
    split_parts: set[str]  # person_ids that took another part's status (persons.near_registry_split_part)
    field_rows: dict[str, dict[str, str]]  # person_id -> its row of reports/<Q>/field_verification.csv


@pytest.fixture(scope="module", params=sorted(RATES))
def outcome(request, tmp_path_factory) -> Outcome:
    quarter = make_quarter(HOUSEHOLDS, seed=8101 + len(request.param), rates=RATES[request.param])
    data_dir = tmp_path_factory.mktemp(f"registry-{request.param}") / "data"
    landing = write_landing(data_dir)
    for source, rows in quarter.rows.items():
        delimiter, encoding = FORMATS[source]
        write_csv(landing / f"{source}.csv", HEADERS[source], rows, delimiter, encoding)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        from orchestration.definitions import defs

        result = defs.resolve_job_def("quarterly_job").execute_in_process(
            partition_key=QUARTER, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success
    out = Outcome(request.param, quarter, collections.defaultdict(set), {}, collections.defaultdict(set), {}, set(),
                  {})
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        for source, row, fate, person_id, region in con.execute(
                "select l.source, l.source_row, l.fate, l.person_id, coalesce(p.near_registry_other_region, false) "
                "from marts.record_ledger l left join marts.persons p using (person_id) "
                "where l.source in ('dtks', 'carik')").fetchall():
            key = quarter.row_person[source, row]
            out.fates[key].add(fate)
            out.pids[key].add(person_id)
            out.other_region[key] = out.other_region.get(key, False) or region
        for source, row, fate, reason, person_id in con.execute(
                "select source, source_row, fate, reason, person_id from marts.record_ledger "
                "where source like 'dukcapil%'").fetchall():
            out.registry[source, row] = (fate, reason, person_id)
        out.split_parts = {p for (p,) in con.execute(
            "select person_id from marts.persons where near_registry_split_part").fetchall()}
    with (data_dir / "reports" / QUARTER / "field_verification.csv").open(encoding="utf-8", newline="") as f:
        out.field_rows = {r["person_id"]: r for r in csv.DictReader(f)}
    return out


def _holders(quarter: Quarter) -> dict[str, str]:
    """Each NIK a list row carries -> the listed person whose row it is."""
    return {row[9] if source == "dtks" else row[1]: quarter.row_person[source, n]
            for source in ("dtks", "carik") for n, row in enumerate(quarter.rows[source], start=1)}


def _crowded(quarter: Quarter) -> tuple[set[str], set[str]]:
    """People whose NIK (true or listed) carries another person's record, and people whose record is under such a
    NIK: Dukcapil's status of the NIK is the stronger of two people's events, whosever it is. Second, those of the
    latter whose record is under a NIK another listed person's rows carry, and whose own NIK carries no other's: the
    rules give them the status of the records that name them."""
    holders = _holders(quarter)
    owner = {p.nik: key for key, p in quarter.persons.items()} | holders
    niks = {e.registry_nik for e in quarter.events if owner.get(e.registry_nik, e.person) != e.person}
    holding = {owner[n] for n in niks}
    named = {e.person for e in quarter.events if holders.get(e.registry_nik, e.person) != e.person} - holding
    return holding | {e.person for e in quarter.events if e.registry_nik in niks}, named


def _one_edit(a: str, b: str) -> bool:
    """One digit replaced, or two adjacent digits swapped."""
    diff = [i for i in range(16) if a[i] != b[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                              and a[diff[1]] == b[diff[0]])


def _claimed(event: Event, quarter: Quarter, holders: dict[str, str]) -> bool:
    """Whether the rules claim to match this record to its listed person."""
    edits = event.errors & NIK_EDITS
    rest = event.errors - NIK_EDITS
    if not edits:
        return True  # the record is under a NIK a list row carries: names and dates do not matter
    if "registry_nik_neighbour" in edits and not _one_edit(event.registry_nik, quarter.persons[event.person].nik):
        return False  # serials further apart (0009 and 0011): not a near NIK
    holder = holders.get(event.registry_nik)
    if holder not in (None, event.person) and quarter.persons[holder].nama == quarter.persons[event.person].nama:
        return False  # mistyped into a namesake's NIK: the name cannot say whose record it is
    if event.file == "dukcapil_pindah":
        rest -= {"list_undated"}
    return rest <= SEEN_THROUGH


def _excluding_events(out: Outcome) -> list[Event]:
    return [e for e in out.quarter.events if e.person in out.fates and e.status in EXCLUDED]


def test_every_record_the_rules_claim_stops_its_persons_publication(outcome):
    holders = _holders(outcome.quarter)
    table = collections.Counter()
    missed = collections.Counter()
    for event in _excluding_events(outcome):
        kind = "+".join(sorted(event.errors)) or "exact"
        stopped = "published" not in outcome.fates[event.person]
        claimed = _claimed(event, outcome.quarter, holders)
        table[claimed, event.status, kind, stopped] += 1
        if claimed and not stopped:
            missed[event.status, kind] += 1
    print(f"\n[{outcome.rates}] registry records of listed people: claimed, status, errors, stopped -> count")
    for (claimed, status, kind, stopped), n in sorted(table.items()):
        print(f"  {claimed!s:5} {status:13} {kind:60} {stopped!s:5} {n}")
    assert sum(n for (claimed, *_), n in table.items() if claimed) > 100
    assert not missed, dict(missed)


def test_the_stopped_are_stopped_for_their_registry_event(outcome):
    crowded, named = _crowded(outcome.quarter)
    wrong = collections.Counter()
    own_reason = 0
    for event in _excluding_events(outcome):
        fates = outcome.fates[event.person]
        if "published" in fates:
            continue
        # A NIK mistyped off its structure leaves the person with no valid NIK; a typo that makes the list NIK far
        # from the birth date makes it another person's: both excluded for that, before any registry match.
        ambiguous = event.person in crowded and event.person not in named
        own_reason += event.person in named
        allowed = (ANY_REGISTRY_EXCLUSION if ambiguous else EXCLUDED[event.status]) | {
            "excluded_invalid_nik", "excluded_nik_conflict"}
        if not fates & allowed:
            wrong[event.status, tuple(sorted(fates))] += 1
    print(f"\n[{outcome.rates}] stopped under another listed person's NIK, for their own event: {own_reason}")
    assert own_reason
    assert not wrong, dict(wrong)


def test_living_people_stay_published(outcome):
    quarter = outcome.quarter
    with_event = {e.person for e in _excluding_events(outcome)}
    within = {e.person for e in quarter.events if e.status == "PINDAH_DALAM_DKI"}
    crowded, _ = _crowded(quarter)
    record_of = {e.person: e for e in quarter.events}
    table = collections.Counter()
    for person, fates in outcome.fates.items():
        if person in with_event:
            continue
        why = quarter.decoys.get(person, "moved_within_dki" if person in within else "no_record")
        if person in crowded:
            why = "another_record_under_their_nik" + ("+list_nik_edited" if person in quarter.list_nik_edited else "")
        elif why == "twin_died" and record_of[quarter.twin_of[person]].typed_name == quarter.persons[person].nama:
            why += "+typed_as_their_name"
        elif person in quarter.list_nik_edited:
            why += "+list_nik_edited"
        table[why, tuple(sorted(fates)), outcome.other_region[person]] += 1
    print(f"\n[{outcome.rates}] living listed people: why a record could take them, fates, other region -> count")
    for (why, fates, region), n in sorted(table.items()):
        print(f"  {why:35} {','.join(fates):45} {region!s:5} {n}")
    near = ("excluded_deceased_near_nik",)
    wrong = {k: n for k, n in table.items() if k[1] != ("published",)
             # A dead namesake born the same day under a NIK one edit away, from another kecamatan: taken on purpose
             # and marked so the field visit can undo it.
             and not (k[0] == "namesake_died_elsewhere" and k[1] == near and k[2])
             # ... from the same kecamatan, or a dead twin's record typed with this twin's name: the NIK cannot tell
             # them from a typo; taken, for the field visit.
             and not (k[0] in ("namesake_died_same_kecamatan", "twin_died+typed_as_their_name") and k[1] == near)
             # A NIK mistyped off its structure, or far from the birth date (another person's): excluded for it.
             and not (k[0].endswith("+list_nik_edited")
                      and set(k[1]) <= {"excluded_invalid_nik", "excluded_nik_conflict"})
             # Dukcapil holds the person's NIK as dead or gone: the gate could not publish it; only Dukcapil's
             # correction of its record (an appeal) can.
             and not (k[0].startswith("another_record_under_their_nik") and set(k[1]) <= ANY_REGISTRY_EXCLUSION)}
    assert sum(n for k, n in table.items() if k[0] == "twin_died") > 5
    assert not wrong, wrong


def test_a_record_mistyped_into_another_listed_persons_nik_is_applied_to_the_person_it_names(outcome):
    """Its ledger row names the person whose name it carries; the NIK's holder is excluded by it too (above)."""
    quarter = outcome.quarter
    holders = _holders(quarter)
    into_listed = [e for e in _excluding_events(outcome) if e.errors & NIK_EDITS and e.registry_nik in holders
                   and holders[e.registry_nik] != e.person and _claimed(e, quarter, holders)]
    print(f"\n[{outcome.rates}] records mistyped into another listed person's NIK: {len(into_listed)}")
    assert into_listed
    for event in into_listed:
        fate, reason, person_id = outcome.registry[event.file, event.row]
        assert (fate, reason) == ("registry_applied_near_nik", "name_of_a_listed_person_one_nik_edit_away")
        assert person_id in outcome.pids[event.person]


def test_a_person_who_took_another_part_of_themselves_is_marked_for_the_field_visit(outcome):
    """Only people the linkage truly left in two parts take the split-part rule, and the field officer sees it."""
    listed_by_pid = {pid: person for person, pids in outcome.pids.items() for pid in pids}
    print(f"\n[{outcome.rates}] people who took another part's registry status: {len(outcome.split_parts)}")
    for pid in outcome.split_parts:
        assert len(outcome.pids[listed_by_pid[pid]]) > 1
        assert outcome.field_rows[pid]["registry_split_part"] == "true"
    assert {p for p, r in outcome.field_rows.items() if r["registry_split_part"] == "true"} == outcome.split_parts
    assert outcome.split_parts or outcome.rates != "crowded"
