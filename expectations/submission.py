"""The suite every row of the BPS submission must pass before the quarter is published."""

from __future__ import annotations

import re
from collections.abc import Sequence

import great_expectations as gx
import great_expectations.expectations as gxe

SUITE_NAME = "bps_submission"

# One row per published person; every column is a string (None when empty).
SUBMISSION_COLUMNS = (
    "person_id", "nik", "no_kk", "nama", "jenis_kelamin", "tanggal_lahir", "alamat", "rt", "rw",
    "kode_kelurahan", "kode_kelurahan_bps", "kelurahan", "kecamatan", "kabkota", "sumber", "desil", "program_bansos",
)
# Booleans computed by SQL upstream, against the Dukcapil registries and the Kemendagri code lists.
CHECK_COLUMNS = ("in_death_registry", "in_move_out_registry", "nik_structurally_valid")
COLUMNS = SUBMISSION_COLUMNS + CHECK_COLUMNS

# Province 11-99, kab/kota, kecamatan, day 01-71 (+40 for women), month, year, serial other than 0000. The exact
# calendar and code-list checks live in SQL (nik_structurally_valid); this catches anything malformed on the way out.
# Groups are non-capturing because GX runs pandas str.contains, which warns on capturing groups.
NIK_PATTERN = r"^(?:1[1-9]|[2-9][0-9])[0-9]{4}(?:[0-6][0-9]|7[01])(?:0[1-9]|1[0-2])[0-9]{2}(?!0000)[0-9]{4}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_KELURAHAN_CODE = re.compile(r"^31\d{2}\d{2}1\d{3}$")

# {unexpected} and {total} are row counts; the runner fills them in and never anything read from a row.
_ROWS = "{unexpected:,} of {total:,} rows"


def build_submission_suite(dki_kelurahan_codes: Sequence[str]) -> gx.ExpectationSuite:
    """The bps_submission suite, checking membership of kode_kelurahan against the given DKI kelurahan codes."""
    codes = sorted(set(dki_kelurahan_codes))
    bad = [code for code in codes if not isinstance(code, str) or not _KELURAHAN_CODE.match(code)]
    if not codes or bad:
        # Refuse rather than build a suite that would pass or block every row for the wrong reason.
        raise ValueError(f"need 10-digit DKI kelurahan codes (31xxxx1xxx); got {len(codes)}, {len(bad)} malformed")

    expectations = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1,
            description="The submission has at least one row.",
            meta={"failure": "the submission has {observed:,} rows"},
        ),
        *(
            gxe.ExpectColumnToExist(
                column=column,
                description=f"The column {column} is present.",
                meta={"failure": "the column is missing from the submission"},
            )
            for column in COLUMNS
        ),
        *_flag_is(
            "in_death_registry", False,
            checked="Every row was checked against the Dukcapil death registry.",
            description="Nobody in the submission is in the Dukcapil death registry.",
            failure=f"{_ROWS} are in the Dukcapil death registry",
        ),
        *_flag_is(
            "in_move_out_registry", False,
            checked="Every row was checked against the Dukcapil move registry.",
            description="Nobody in the submission has moved out of DKI or been deactivated "
                        "(latest Dukcapil move event PINDAH_KELUAR or NONAKTIF).",
            failure=f"{_ROWS} moved out of DKI or were deactivated in the Dukcapil move registry",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="nik",
            description="Every row has a NIK.",
            meta={"failure": f"{_ROWS} have no NIK"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="nik",
            regex=NIK_PATTERN,
            description="Every NIK has the 16-digit structure: province, kab/kota, kecamatan, birth date, "
                        "serial not 0000.",
            meta={"failure": f"{_ROWS} have a NIK without the 16-digit NIK structure"},
        ),
        *_flag_is(
            "nik_structurally_valid", True,
            checked="Every NIK was checked for structural validity.",
            description="Every NIK has a known province and kab/kota code, a real birth date and a serial "
                        "other than 0000.",
            failure=f"{_ROWS} have a NIK with an unknown area code, an impossible birth date or serial 0000",
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="nik",
            description="No NIK appears on more than one row.",
            meta={"failure": f"{_ROWS} share their NIK with another row"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="kode_kelurahan",
            description="Every row has a Kemendagri kelurahan code.",
            meta={"failure": f"{_ROWS} have no kelurahan code"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="kode_kelurahan",
            value_set=codes,
            description=f"Every kelurahan code is one of the {len(codes)} DKI Jakarta kelurahan (Kemendagri codes).",
            meta={"failure": f"{_ROWS} have a kelurahan code outside DKI Jakarta's {len(codes)} kelurahan"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="person_id",
            description="Every row has a person_id.",
            meta={"failure": f"{_ROWS} have no person_id"},
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="person_id",
            description="No person_id appears on more than one row.",
            meta={"failure": f"{_ROWS} share their person_id with another row"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="jenis_kelamin",
            value_set=["L", "P"],
            description="Sex is coded L or P.",
            meta={"failure": f"{_ROWS} have a sex code other than L or P"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="tanggal_lahir",
            regex=DATE_PATTERN,
            description="Birth dates are written YYYY-MM-DD.",
            meta={"failure": f"{_ROWS} have a birth date not written YYYY-MM-DD"},
        ),
    ]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


def _flag_is(column: str, wanted: bool, *, checked: str, description: str, failure: str) -> list:
    """A check column must be filled on every row, because set expectations skip nulls, and hold the wanted value."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column,
            description=checked,
            meta={"failure": f"{_ROWS} have no {column} value, so the check did not run for them"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column=column,
            value_set=[wanted],
            description=description,
            meta={"failure": failure},
        ),
    ]
