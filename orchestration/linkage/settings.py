"""The structure of the person-linkage model: what is compared and which pairs are scored at all.

This file is reviewed code. Training (orchestration.linkage.train) only estimates the parameters of this
structure; the quarterly run never trains.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import And, CustomRule


def nik_is_another_persons_sql(nik: str, dob: str) -> str:
    """SQL: the NIK's date digits (7-12) are far from its row's birth date: at least two of day, month and year
    differ, not as a day/month swap, and the date is not the 1 January filler of the same year.

    A person's own NIK beside one typed error in the birth date (a digit, a swap, a year, a filler) is near; the
    head's NIK on a member's row ("NIK ganda") is far. Null when the row has no birth date. `dob` is YYYY-MM-DD.
    """
    day, month, year = (f"(cast(substr({nik}, 7, 2) as integer) % 40)", f"cast(substr({nik}, 9, 2) as integer)",
                        f"substr({nik}, 11, 2)")
    d, m, y = (f"cast(substr({dob}, 9, 2) as integer)", f"cast(substr({dob}, 6, 2) as integer)",
               f"substr({dob}, 3, 2)")
    return (
        f"(cast({day} <> {d} as integer) + cast({month} <> {m} as integer) + cast({year} <> {y} as integer) >= 2 "
        f"and not ({day} = {m} and {month} = {d} and {year} = {y}) "
        f"and not ({d} = 1 and {m} = 1 and {year} = {y}))"
    )


# Inside a kelurahan a birth date (or a name) is shared by ever more strangers as the list grows: Jakarta has 267
# kelurahan whatever its size, so ten times the rows made a hundred times these rules' pairs (docs/linkage.md,
# "Blocking at scale"). Each rule therefore keeps only the pairs that could reach the threshold: a pair it drops has
# the comparison levels written beside it, and at those levels no pair is a match with the committed weights
# (`tests/linkage/test_blocking_filters.py` computes the best such pair's weight from the model file). Dropping a
# pair that can never be a match changes no cluster: the links are the pairs at or above the threshold.
_NAMES_NEAR = (
    # not the name comparison's else level (Jaro-Winkler below 0.88), or a name unknown on one side
    "(jaro_winkler_similarity(l.nama_match, r.nama_match) >= 0.88 "
    "or l.nama_match is null or r.nama_match is null)"
)
_DATES_NEAR = (
    # not the birth-date comparison's else level, or a date unknown on one side
    "(l.tanggal_lahir is null or r.tanggal_lahir is null "
    "or levenshtein(l.tanggal_lahir, r.tanggal_lahir) <= 1 "
    "or substr(l.tanggal_lahir, 6, 5) = substr(r.tanggal_lahir, 6, 5) "
    "or (substr(l.tanggal_lahir, 1, 4) = substr(r.tanggal_lahir, 1, 4) "
    "and (substr(l.tanggal_lahir, 6, 5) = '01-01' or substr(r.tanggal_lahir, 6, 5) = '01-01' "
    "or (substr(l.tanggal_lahir, 6, 2) = substr(r.tanggal_lahir, 9, 2) "
    "and substr(l.tanggal_lahir, 9, 2) = substr(r.tanggal_lahir, 6, 2)))))"
)


def niks_one_typo_apart_sql(a: str, b: str) -> str:
    """SQL: two NIKs (16 digits, or null) at most one typo apart: equal, one digit apart, or two adjacent digits
    swapped (Damerau-Levenshtein <= 1), with the distance computed only where a mismatch count cannot settle it.

    For strings of one length one edit is a substitution (one position differs) or a swap (two adjacent ones), so
    `hamming` (a single pass) decides every pair but those two positions apart. `hamming` refuses two lengths: the
    linkage input holds only 16-digit NIKs (dbt test `digits_of_width` on int_persons__for_linkage, which stops
    the run before linkage), so a NIK of another width fails loudly instead of being compared wrongly.
    """
    # Not guarded by a length test: DuckDB may evaluate a term that an `and` guards (it did, in a filtered count),
    # and on the birth-date rule at 10M a `case` was no faster than the distance alone, padding both sides to one
    # width gave up half the gain.
    return (f"(hamming({a}, {b}) <= 1 "
            f"or (hamming({a}, {b}) = 2 and damerau_levenshtein({a}, {b}) <= 1))")


# a household level of the domicile comparison (same KK, or same address line), the same NIK, or NIKs one typo
# apart where the NIK comparison's typo level can take them: it needs one household, and in one kelurahan that is
# the same KK or no KK on one side. At 10M rows the birth-date rule meets 12.6M pairs of one kelurahan, and the
# edit distance on all of them was most of its time: people born on one day in one region have NIKs that differ
# only in the serial, which counts from 0001 the people of one kecamatan and birth date (domain.md). Such
# birthday-mates with two known KKs are at the NIK's else level, or at its far level with names that must then be
# near: kept as a typo, they were 800,000 of the rule's 1.18M pairs at 10M rows, each scored only to be rejected.
_HOUSEHOLD_OR_NEAR_NIK = (
    "(l.no_kk = r.no_kk or l.alamat = r.alamat or l.nik = r.nik or ((l.no_kk is null or r.no_kk is null) "
    f"and {niks_one_typo_apart_sql('l.nik', 'r.nik')}))"
)
# not the NIK comparison's else level: no valid NIK on one side, or a NIK far from its own row's birth date (no
# evidence either way). Two valid NIKs that differ by more than a typo weigh about -16.6 bits: with any name and
# birth date, a pair outside one household then stays below the threshold (measured at 10M rows: the two rules'
# pairs fell from 1,249,168 to 1,193,827, the name rule's to 14,246; each dropped pair was scored only to be
# rejected).
_NIKS_NOT_APART = (
    f"(l.nik is null or r.nik is null or coalesce({nik_is_another_persons_sql('l.nik', 'l.tanggal_lahir')}, false) "
    f"or coalesce({nik_is_another_persons_sql('r.nik', 'r.tanggal_lahir')}, false))"
)

# Pairs scored at all. Each rule exists for a way the same person can look different in two lists. In the two
# rules inside a kelurahan the household test comes first: DuckDB evaluates the rest of an `or` only where it is
# false, and its equalities settle a third of the pairs. With that order and a NIK check before the distance,
# the two rules' joins took 14.9 s and 5.9 s at 10M rows instead of 29.3 s and 12.8 s, on the same pairs; the
# mismatch count (niks_one_typo_apart_sql) then took them from 16.4 s and 7.2 s to 12.2 s and 6.6 s.
BLOCKING_RULES = (
    # the usual case: the same valid NIK;
    block_on("nik"),
    # a NIK missing, invalid or mistyped in one list: same name and birth date;
    block_on("nama_match", "tanggal_lahir"),
    # the name spelt differently as well: same birth date in the same kelurahan, the names still near and the NIKs
    # not two people's (or one household's rows, or NIKs a typo apart with no KK on one side). Drops, outside one
    # household and not the same NIK: names at the else level, or two valid NIKs at the NIK comparison's else level
    # (NIKs a typo apart there unless a KK is missing).
    And(block_on("tanggal_lahir", "kode_kelurahan"),
        CustomRule(f"{_HOUSEHOLD_OR_NEAR_NIK} or ({_NAMES_NEAR} and {_NIKS_NOT_APART})", sql_dialect="duckdb")),
    # a birth date typed wrongly: same name in the same kelurahan, the dates still near and the NIKs not two
    # people's (or one household's rows, or NIKs a typo apart with no KK on one side). Drops the same with the
    # dates for the names.
    And(block_on("nama_match", "kode_kelurahan"),
        CustomRule(f"{_HOUSEHOLD_OR_NEAR_NIK} or ({_DATES_NEAR} and {_NIKS_NOT_APART})", sql_dialect="duckdb")),
    # the household's KK and the first name (a child's birth date and name both vary between lists).
    block_on("no_kk", "first_name"),
)

# Rules with almost no false positives, to estimate how often two random rows are one person.
DETERMINISTIC_RULES = (block_on("nik", "tanggal_lahir"), block_on("nik", "nama_match"))

# Blocking rules of the EM sessions. A session estimates only the comparisons whose SQL uses none of its blocking
# columns: the NIK session estimates name, birth date, sex and domicile; the second session the NIK, whose levels
# read the names, birth date, sex, KK and kelurahan, so only a block on other columns (the household's address line
# and RT/RW) can estimate it.
TRAINING_BLOCKS = (block_on("nik"), block_on("alamat", "rt_rw"))

# Reviewed bounds (low, high) on m where training cannot be trusted. Floors: disagreements a generated quarter
# does not show, but real lists do: one sex typed wrongly (about 1 % of a list's rows), the same person at another
# address of their kelurahan. Ceiling: two different valid NIKs are two people (Dukcapil issues one NIK per
# person; invalid NIKs never reach the model), so namesakes of the dead (same name and birth date, another NIK)
# are never merged, even in one kelurahan; EM learns up to 0.3 % here from undetected copied KKs.
M_BOUNDS = {
    "jenis_kelamin": {"All other comparisons": (0.01, 1.0)},
    "domicile": {"same kelurahan": (0.01, 1.0)},
    "nik": {"All other comparisons": (0.0, 1e-5),
            # A true pair with no NIK on one side in another kelurahan needs a row without a valid NIK (about 3 %)
            # of a person who moved (about 1 % of true pairs): m about 3e-4. Generated quarters show none, so EM
            # leaves the level at the unseen default; the ceiling keeps namesakes with a NIK-less row apart.
            "no NIK on one side, another kelurahan": (0.0, 3e-4)},
}

# Reviewed levels that are no evidence either way (Bayes factor 1: m set to u after training). A NIK far from its own
# row's birth date is somebody else's (a member listed under the head's NIK), so it says nothing of whether the two
# rows are one person; EM learned +6.9 bits for it on a generated quarter, where such rows are mostly the NIK ganda
# of true pairs, and at 10M rows that weight joined namesakes of one kelurahan (one row under a borrowed NIK, no
# birth date: 87 of the 387 person_ids holding two people).
NEUTRAL_LEVELS = {"nik": ("a NIK far from its own row's birth date (somebody else's)",)}


# Levels whose agreement names a group of fixed size however long the list is: a person's NIK, a household's KK or
# address line. Two strangers share one with a chance that falls as 1 / rows, as the prior does, so for a quarter
# larger than the training quarter these levels' u falls with the prior (orchestration.linkage.list_size). A
# kelurahan, a birth date, a sex or a name is shared by a fixed share of strangers and keeps its u. Labels as in
# the comparisons below.
GROUP_LEVELS = {
    "nik": ("same NIK, and name or birth date",
            "one digit or one adjacent swap apart, same birth date and household, name agrees"),
    "domicile": ("same No. KK", "same address"),
}


def nik_contradicts_row_sql(nik: str, dob: str, sex: str) -> str:
    """SQL: the NIK's digits 7-12 (day, +40 for women; month; year) disagree with its row's birth date or sex.

    Null when the row has no birth date or sex: unknown is no evidence either way. `dob` is YYYY-MM-DD text.
    """
    return (
        f"not (substr({nik}, 9, 2) = substr({dob}, 6, 2) and substr({nik}, 11, 2) = substr({dob}, 3, 2) "
        f"and cast(substr({nik}, 7, 2) as integer) = cast(substr({dob}, 9, 2) as integer) "
        f"+ case {sex} when 'P' then 40 when 'L' then 0 end)"
    )


def _nik_is_another_persons(side: str) -> str:
    return nik_is_another_persons_sql(f"nik_{side}", f"tanggal_lahir_{side}")


def _nik_contradicts_the_pair(side: str) -> str:
    """SQL: a side's NIK disagrees with its row's birth date and sex (the other row's where its own are unknown)."""
    other = "r" if side == "l" else "l"
    return nik_contradicts_row_sql(
        f"nik_{side}", f"coalesce(tanggal_lahir_{side}, tanggal_lahir_{other})",
        f"coalesce(jenis_kelamin_{side}, jenis_kelamin_{other})")


# Birth dates, both known, that are the same, or one typed digit or a day/month swap apart. An unknown birth date
# is no agreement: a member listed under the head's NIK whose own birth date cell was unreadable would otherwise
# take the NIK's full weight (measured: 6 of 15 mixed person_ids at 20,000 people).
_DOB_CLOSE = (
    "(levenshtein(tanggal_lahir_l, tanggal_lahir_r) <= 1 "
    "or (substr(tanggal_lahir_l, 1, 4) = substr(tanggal_lahir_r, 1, 4) "
    "and substr(tanggal_lahir_l, 6, 2) = substr(tanggal_lahir_r, 9, 2) "
    "and substr(tanggal_lahir_l, 9, 2) = substr(tanggal_lahir_r, 6, 2)))"
)

# First names one letter apart (or Jaro-Winkler >= 0.9) and the same for family names, or a one-word name: the
# same person's name. Compared word by word because household members share the family name (RAHMAT SETIAWAN and
# RATNA SETIAWAN are 0.92 alike as whole names) and brothers often share MUHAMMAD as the first word.
_NAMES_AGREE = (
    "((levenshtein(first_name_l, first_name_r) <= 1 or jaro_winkler_similarity(first_name_l, first_name_r) >= 0.9) "
    "and (levenshtein(last_name_l, last_name_r) <= 1 or jaro_winkler_similarity(last_name_l, last_name_r) >= 0.9 "
    "or first_name_l = last_name_l or first_name_r = last_name_r))"
)

_SEXES_DO_NOT_DIFFER = "coalesce(jenis_kelamin_l = jenis_kelamin_r, true)"

_SAME_HOUSEHOLD = (
    "(no_kk_l = no_kk_r or ((no_kk_l is null or no_kk_r is null) and kode_kelurahan_l = kode_kelurahan_r))"
)

_NIK = cl.CustomComparison(
    output_column_name="nik",
    comparison_description="NIK",
    comparison_levels=[
        # No valid NIK on one side, in another kelurahan: the NIK cannot tell a namesake (same name and birth date,
        # living elsewhere) from the person after a move, and name, birth date and sex alone outweigh the domicile's
        # disagreement; so the missing NIK counts against the pair here, with its own trained weight. A person
        # whose NIK-less row is not linked is not lost: that row's person has no valid NIK and is excluded as such.
        # A NIK far from its own row's birth date (somebody else's, see below) is no NIK here: measured, a namesake
        # of the dead in another household under a borrowed NIK joined the dead person at 200,000 people.
        cll.CustomLevel(
            "(nik_l is null or nik_r is null "
            "or (nik_l <> nik_r and (coalesce(" + _nik_is_another_persons("l") + ", false) "
            "or coalesce(" + _nik_is_another_persons("r") + ", false)))) "
            "and kode_kelurahan_l <> kode_kelurahan_r "
            "and (no_kk_l is null or no_kk_r is null or no_kk_l <> no_kk_r)",
            label_for_charts="no NIK on one side, another kelurahan",
        ),
        cll.NullLevel("nik"),
        # The same NIK counts only when the names or the birth dates agree as well: a household member listed under
        # the head's or a sibling's NIK ("NIK ganda") shares the NIK but neither the name nor the birth date, and
        # the NIK's weight alone would merge the two people. Birth dates without the name count only when the
        # sexes do not differ: a wife under her husband's NIK may be born a day from him (measured: 2 person_ids of
        # two people at 200,000). Misses a same-sex twin listed under the other twin's NIK in another file.
        cll.CustomLevel(f"nik_l = nik_r and ({_NAMES_AGREE} or ({_DOB_CLOSE} and {_SEXES_DO_NOT_DIFFER}))",
                        label_for_charts="same NIK, and name or birth date"),
        # One digit apart anywhere, or two adjacent digits swapped (equal lengths: the input holds only valid
        # 16-digit NIKs, so Damerau-Levenshtein 1 is exactly these two typos), on rows of one household with the
        # same birth date: a typo of the same NIK when the names agree. Each condition keeps apart people whose
        # NIKs really are one digit apart, by where the digits differ:
        # - the serial (13-16): twins have consecutive serials and often names one letter apart (PUTRA / PUTRI,
        #   FIKRI / FIKRA), so the names must be the same once spelt one way;
        # - the birth date and sex (7-12): twins of opposite sex differ by 40 in the day; a typo there makes one
        #   NIK contradict the birth date or sex of its row (or the other row's where its own is unknown), two
        #   people's NIKs each fit their own;
        # - the region (1-6): names that agree will do (YATNO, JATNO).
        # A parent and child born on the same day of the year differ in the year of birth; namesakes of the dead
        # (same name and birth date) live in another household.
        cll.CustomLevel(
            f"nik_l <> nik_r and {niks_one_typo_apart_sql('nik_l', 'nik_r')} "
            "and (tanggal_lahir_l = tanggal_lahir_r or tanggal_lahir_l is null or tanggal_lahir_r is null) "
            f"and {_SAME_HOUSEHOLD} "
            "and ((substr(nik_l, 13, 4) <> substr(nik_r, 13, 4) and substr(nik_l, 1, 12) = substr(nik_r, 1, 12) "
            "and nama_match_l = nama_match_r) "
            "or (substr(nik_l, 7, 6) <> substr(nik_r, 7, 6) and "
            f"(coalesce({_nik_contradicts_the_pair('l')}, false) or coalesce({_nik_contradicts_the_pair('r')}, false)) "
            f"and {_NAMES_AGREE}) "
            "or (substr(nik_l, 7, 10) = substr(nik_r, 7, 10) and " + _NAMES_AGREE + "))",
            label_for_charts="one digit or one adjacent swap apart, same birth date and household, name agrees",
        ),
        # The NIK of one side is far from its own row's birth date (digits 7-12; nik_is_another_persons_sql):
        # somebody else's NIK, so the NIKs are no evidence either way and the other comparisons decide. Without this
        # level the row of a member listed under the head's NIK could never join the member's own rows. A NIK near
        # its row's date (one error in the typed birth date) is the row's own: two such NIKs are two people, as a
        # mother and daughter of one name whose NIKs differ and one of whose birth dates was mistyped.
        cll.CustomLevel(
            f"coalesce({_nik_is_another_persons('l')}, false) or coalesce({_nik_is_another_persons('r')}, false)",
            label_for_charts="a NIK far from its own row's birth date (somebody else's)",
        ),
        cll.ElseLevel(),
    ],
)

# Household evidence in one comparison: the KK, the address line and the kelurahan are the same fact for
# everybody in a household, and scoring them as three independent agreements made siblings one person.
_DOMICILE = cl.CustomComparison(
    output_column_name="domicile",
    comparison_description="household (No. KK), address and kelurahan",
    comparison_levels=[
        cll.CustomLevel(
            "(no_kk_l is null or no_kk_r is null) and (kode_kelurahan_l is null or kode_kelurahan_r is null)",
            label_for_charts="no KK or kelurahan on one side",
        ).configure(is_null_level=True),
        cll.CustomLevel("no_kk_l = no_kk_r", label_for_charts="same No. KK"),
        cll.CustomLevel(
            "kode_kelurahan_l = kode_kelurahan_r and alamat_l = alamat_r", label_for_charts="same address"),
        cll.CustomLevel("kode_kelurahan_l = kode_kelurahan_r", label_for_charts="same kelurahan"),
        cll.ElseLevel(),
    ],
)

_BIRTH_DATE = cl.CustomComparison(
    output_column_name="tanggal_lahir",
    comparison_description="birth date (YYYY-MM-DD text)",
    comparison_levels=[
        cll.NullLevel("tanggal_lahir"),
        cll.ExactMatchLevel("tanggal_lahir"),
        cll.CustomLevel(
            "levenshtein(tanggal_lahir_l, tanggal_lahir_r) <= 1 or ("
            "substr(tanggal_lahir_l, 1, 4) = substr(tanggal_lahir_r, 1, 4) "
            "and substr(tanggal_lahir_l, 6, 2) = substr(tanggal_lahir_r, 9, 2) "
            "and substr(tanggal_lahir_l, 9, 2) = substr(tanggal_lahir_r, 6, 2))",
            label_for_charts="one digit apart, or day and month swapped",
        ),
        cll.CustomLevel(
            "substr(tanggal_lahir_l, 6, 5) = substr(tanggal_lahir_r, 6, 5) or ("
            "substr(tanggal_lahir_l, 1, 4) = substr(tanggal_lahir_r, 1, 4) "
            "and (substr(tanggal_lahir_l, 6, 5) = '01-01' or substr(tanggal_lahir_r, 6, 5) = '01-01'))",
            label_for_charts="same day and month, or same year with 1 January as a filler",
        ),
        cll.ElseLevel(),
    ],
)


def settings_creator() -> SettingsCreator:
    """The untrained model: comparisons, blocking rules and the record id column."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _NIK,
            cl.JaroWinklerAtThresholds("nama_match", [0.95, 0.88]),
            _BIRTH_DATE,
            cl.ExactMatch("jenis_kelamin"),
            _DOMICILE,
        ],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )
