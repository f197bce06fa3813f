"""The review worklist's layout, shared by the writer and the strict reader of returned workbooks."""

from __future__ import annotations

import re

# reports/<Q>/review/<WORKLIST_FILE>: written each quarter, filled in by Dinas Sosial reviewers, then imported.
WORKLIST_FILE = "review_pairs.xlsx"
SHEET_PAIRS = "Pasangan"
SHEET_ABOUT = "Tentang"

# One row per doubtful pair, both records side by side. Only pair_id and the last three columns are read back;
# the rest is what the reviewer judges by.
SIDE_COLUMNS = ("sumber", "baris", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "no_kk", "alamat",
                "kode_kelurahan", "kelurahan")
LEVEL_COLUMNS = ("nik_level", "nama_level", "tanggal_lahir_level", "jenis_kelamin_level", "domisili_level")
DECISION_COLUMNS = ("decision", "reason", "reviewer")
PAIR_COLUMNS = (
    "pair_id", "kind", "match_probability", "match_weight",
    *(f"{c}_l" for c in SIDE_COLUMNS), *(f"{c}_r" for c in SIDE_COLUMNS),
    *LEVEL_COLUMNS, *DECISION_COLUMNS,
)

# Why a pair is on the list (orchestration/review/candidates.py).
KINDS = ("nik_conflict", "cut_link", "large_cluster", "grey_band")

DECISIONS = ("match", "not_match")
# Reasons are codes from a list, never free text: free text would carry names and NIKs into the decisions store.
REASONS = {
    "match": ("nik_typo", "name_variant", "birth_date_typo", "moved_within_dki", "same_person_other"),
    "not_match": ("different_person", "twins", "parent_child", "namesake", "other_household", "different_other"),
}

# The about sheet: a key in column A, its value in column B, these keys in this order.
ABOUT_KEYS = ("quarter", "worklist_id", "pairs", "model_version", "written_at")

PAIR_ID = re.compile(r"^RV[0-9A-F]{16}$")
# A reviewer is named by a staff id (NIP, 18 digits, or a short login), never by a recipient's data.
REVIEWER = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
