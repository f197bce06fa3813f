"""The structure of the person-linkage model: what is compared and which pairs are scored at all.

This file is reviewed code. Training (orchestration.linkage.train) only estimates the parameters of this
structure; the quarterly run never trains.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

# Pairs scored at all. Each rule exists for a way the same person can look different in two lists:
BLOCKING_RULES = (
    # the usual case: the same valid NIK;
    block_on("nik"),
    # a NIK missing, invalid or mistyped in one list: same name and birth date;
    block_on("nama_match", "tanggal_lahir"),
    # the name spelt differently as well: same birth date in the same kelurahan;
    block_on("tanggal_lahir", "kode_kelurahan"),
    # a birth date typed wrongly: same name in the same kelurahan;
    block_on("nama_match", "kode_kelurahan"),
    # the household's KK and the first name (a child's birth date and name both vary between lists).
    block_on("no_kk", "first_name"),
)

# Rules with almost no false positives, to estimate how often two random rows are one person.
DETERMINISTIC_RULES = (block_on("nik", "tanggal_lahir"), block_on("nik", "nama_match"))

# Blocking rules of the EM sessions. A session estimates only the comparisons whose SQL uses none of its blocking
# columns: the NIK session estimates name, birth date, sex and domicile; the second session the NIK (whose typo
# level reads the name, KK and kelurahan, so only a block on other columns can estimate it).
TRAINING_BLOCKS = (block_on("nik"), block_on("tanggal_lahir", "first_name"))

# Reviewed bounds (low, high) on m where training cannot be trusted. Floors: disagreements a generated quarter
# does not show, but real lists do: one sex typed wrongly (about 1 % of a list's rows), the same person at another
# address of their kelurahan. Ceiling: two different valid NIKs are two people (Dukcapil issues one NIK per
# person; invalid NIKs never reach the model), so namesakes of the dead (same name and birth date, another NIK)
# are never merged, even in one kelurahan; EM learns up to 0.3 % here from undetected copied KKs.
M_BOUNDS = {
    "jenis_kelamin": {"All other comparisons": (0.01, 1.0)},
    "domicile": {"same kelurahan": (0.01, 1.0)},
    "nik": {"All other comparisons": (0.0, 1e-5)},
}

_NIK = cl.CustomComparison(
    output_column_name="nik",
    comparison_description="NIK",
    comparison_levels=[
        cll.NullLevel("nik"),
        cll.ExactMatchLevel("nik"),
        # One serial digit apart, with a similar name, in the same household (or the same kelurahan when one side
        # has no KK, as P3KE never does): a typo of the same NIK. Each condition keeps apart people the model once
        # merged: twins and a parent and child born on the same day of the year (NIKs one digit apart, other
        # names); namesakes of the dead registered in a neighbouring kecamatan (one region digit apart) or in the
        # same one (the next serial) and living in the same kelurahan under another KK.
        # hamming is cheap and needs equal lengths: the input holds only valid 16-digit NIKs.
        cll.CustomLevel(
            "substr(nik_l, 1, 12) = substr(nik_r, 1, 12) and hamming(nik_l, nik_r) = 1 "
            "and jaro_winkler_similarity(nama_match_l, nama_match_r) >= 0.9 "
            "and (no_kk_l = no_kk_r "
            "or ((no_kk_l is null or no_kk_r is null) and kode_kelurahan_l = kode_kelurahan_r))",
            label_for_charts="one serial digit apart, similar name, same household",
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
