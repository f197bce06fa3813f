"""The row rules of the BPS submission: per rule, the SQL that finds the rows breaking it and the words for them.

Free of GX, so that the Dagster definitions load without importing it: orchestration/defs/quality/frames.py counts
each rule's rows in DuckDB, and expectations/submission.py has GX validate the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

# The columns of marts.bps_submission, one row per published person; every column is a string (None when empty).
SUBMISSION_COLUMNS = (
    "person_id", "nik", "no_kk", "nama", "jenis_kelamin", "tanggal_lahir", "alamat", "rt", "rw",
    "kode_kelurahan", "kode_kelurahan_bps", "kelurahan", "kecamatan", "kabkota", "sumber", "desil", "program_bansos",
)
# The counts frame's column with the number of submission rows, which every rule's count is out of.
ROWS = "submission_rows"
DESIL_VALUES = ("1", "2", "3", "4")

# RE2 (DuckDB's regex engine) has no lookaround, so the "not 0000" parts of the NIK, RT and RW patterns and the
# name's "at least one letter" are separate conditions; regexp_full_match anchors both ends. [0-9], not \d: RE2's \d
# is ASCII as here, Python's is not.
NIK_SQL = ("regexp_full_match(nik, '(1[1-9]|[2-9][0-9])[0-9]{4}([0-6][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{6}') "
           "and substr(nik, 13, 4) <> '0000'")
DATE_SQL = "regexp_full_match(tanggal_lahir, '[0-9]{4}-[0-9]{2}-[0-9]{2}')"
NAME_SQL = "regexp_full_match(nama, '[A-Z'']+( [A-Z'']+)*') and regexp_matches(nama, '[A-Z]')"


def _rt_rw_sql(column: str) -> str:
    return f"regexp_full_match({column}, '[0-9]{{3}}') and {column} <> '000'"


# {unexpected} and {total} are row counts; the GX runner fills them in and never anything read from a row.
_ROWS = "{unexpected:,} of {total:,} rows"


@dataclass(frozen=True)
class RowRule:
    """One rule every submission row must keep, and how to count the rows that break it."""

    # The counts frame's column: how many rows break the rule.
    count: str
    # The submission column the rule is about (or the gate's own flag column), as the report names it.
    column: str
    # The row-level GX expectation the count stands for (the suite the count-based one replaced; tests compare).
    rule: str
    # SQL over the checked submission (frames.CHECKED_SUBMISSION_SQL), true for a row that breaks the rule;
    # None for a uniqueness rule, counted as the rows whose value another row shares.
    breaks: str | None
    description: str
    failure: str
    # The submission columns the SQL reads: with one of them missing, the rule is not counted (and blocks).
    reads: tuple[str, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        """The submission columns the count reads."""
        return self.reads or (self.column,)


IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
MATCH_REGEX = "expect_column_values_to_match_regex"
UNIQUE = "expect_column_values_to_be_unique"
PAIR_EQUAL = "expect_column_pair_values_to_be_equal"
COLUMN_EXISTS = "expect_column_to_exist"
ROW_COUNT = "expect_table_row_count_to_be_between"


def _not_null(column: str, what: str) -> RowRule:
    return RowRule(f"{column}_missing_rows", column, NOT_NULL, f"{column} is null",
                   f"Every row has {what}.", f"{_ROWS} have no {what}")


def _rt_rw(column: str) -> RowRule:
    label = column.upper()
    return RowRule(f"{column}_malformed_rows", column, MATCH_REGEX,
                   f"{column} is not null and not ({_rt_rw_sql(column)})",
                   f"{label}, where there is one, is three digits from 001 to 999.",
                   f"{_ROWS} have an {label} that is not three digits from 001 to 999")


def row_rules(dki_kelurahan: int = 267) -> tuple[RowRule, ...]:
    """The rules, in the order the report lists them; dki_kelurahan is how many DKI kelurahan codes there are."""
    return (
        RowRule("in_death_registry_rows", "in_death_registry", IN_SET, "in_death_registry",
                "Nobody in the submission is in the Dukcapil death registry.",
                f"{_ROWS} are in the Dukcapil death registry", reads=("nik",)),
        RowRule("in_move_out_registry_rows", "in_move_out_registry", IN_SET, "in_move_out_registry",
                "Nobody in the submission has moved out of DKI or been deactivated "
                "(latest Dukcapil move event PINDAH_KELUAR or NONAKTIF).",
                f"{_ROWS} moved out of DKI or were deactivated in the Dukcapil move registry", reads=("nik",)),
        _not_null("nik", "NIK"),
        RowRule("nik_malformed_rows", "nik", MATCH_REGEX, f"nik is not null and not ({NIK_SQL})",
                "Every NIK has the 16-digit structure: province, kab/kota, kecamatan, birth date, serial not 0000.",
                f"{_ROWS} have a NIK without the 16-digit NIK structure"),
        RowRule("nik_structurally_invalid_rows", "nik_structurally_valid", IN_SET, "not nik_structurally_valid",
                "Every NIK has a known province and kab/kota code, a real birth date and a serial other than 0000.",
                f"{_ROWS} have a NIK with an unknown area code, an impossible birth date or serial 0000",
                reads=("nik",)),
        RowRule("nik_duplicated_rows", "nik", UNIQUE, None,
                "No NIK appears on more than one row.", f"{_ROWS} share their NIK with another row"),
        _not_null("kode_kelurahan", "kelurahan code"),
        RowRule("kode_kelurahan_outside_dki_rows", "kode_kelurahan", IN_SET,
                "kode_kelurahan is not null and not list_contains($dki_kelurahan_codes, kode_kelurahan)",
                f"Every kelurahan code is one of the {dki_kelurahan} DKI Jakarta kelurahan (Kemendagri codes).",
                f"{_ROWS} have a kelurahan code outside DKI Jakarta's {dki_kelurahan} kelurahan"),
        _not_null("person_id", "person_id"),
        RowRule("person_id_duplicated_rows", "person_id", UNIQUE, None,
                "No person_id appears on more than one row.", f"{_ROWS} share their person_id with another row"),
        RowRule("jenis_kelamin_not_l_or_p_rows", "jenis_kelamin", IN_SET,
                "jenis_kelamin is not null and jenis_kelamin not in ('L', 'P')",
                "Sex is coded L or P.", f"{_ROWS} have a sex code other than L or P"),
        RowRule("tanggal_lahir_malformed_rows", "tanggal_lahir", MATCH_REGEX,
                f"tanggal_lahir is not null and not {DATE_SQL}",
                "Birth dates are written YYYY-MM-DD.", f"{_ROWS} have a birth date not written YYYY-MM-DD"),
        _not_null("kode_kelurahan_bps", "BPS kelurahan code"),
        # Against the seed's crosswalk: a BPS code of another kelurahan (the two numberings mixed up) is wrong even
        # when it is a real code. Rows whose kode_kelurahan is outside DKI have no seed code and count above.
        RowRule("kode_kelurahan_bps_not_its_kelurahans_rows", "kode_kelurahan_bps", PAIR_EQUAL,
                "kode_kelurahan_bps <> kode_kelurahan_bps_of_kelurahan",
                "Every BPS kelurahan code is the BPS code of the row's own kelurahan (seed crosswalk).",
                f"{_ROWS} have a BPS kelurahan code that is not their kelurahan's",
                reads=("kode_kelurahan_bps", "kode_kelurahan")),
        _not_null("nama", "name"),
        RowRule("nama_unclean_rows", "nama", MATCH_REGEX, f"nama is not null and not ({NAME_SQL})",
                "Every name is upper-case words of letters, one space apart.",
                f"{_ROWS} have a name with characters other than letters, an apostrophe and single spaces"),
        # P3KE's welfare decile is 1-4 (docs/landing_contract.md); DTKS and CARIK extracts carry no decile.
        RowRule("desil_outside_1_to_4_rows", "desil", IN_SET,
                "desil is not null and desil not in (" + ", ".join(f"'{v}'" for v in DESIL_VALUES) + ")",
                "The decile, where there is one, is P3KE's 1 to 4.", f"{_ROWS} have a decile other than 1 to 4"),
        _rt_rw("rt"),
        _rt_rw("rw"),
    )


def column_present(column: str) -> str:
    """The counts frame's column saying (1 or 0) whether marts.bps_submission has `column`."""
    return f"has_column_{column}"
