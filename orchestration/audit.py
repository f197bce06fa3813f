"""`satudata audit`: is personal data still only where it belongs? Modes, manifests, leftovers and a leak search.

The search takes the quarter's NIKs, No. KKs and names from its raw tables (every landing cell as text) and looks
for them in every file outside the allowed folders. Findings name files and counts, never values. It also
checks the hash chain of the audit log of human decisions (review/audit_log.py).
"""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import warehouse
from orchestration.ingest.contract import EXTRACTS
from orchestration.paths import REPO_ROOT, QuarterPaths
from orchestration.publish.files import TEMP_SUFFIX, sha256_of
from orchestration.quarters import Quarter
from orchestration.review import audit_log

# Where personal data belongs: the extracts as delivered, the generator's truth (test data only), the DuckDB
# warehouse with its exports, the BPS submission, and the internal reports.
ALLOWED_FOLDERS = ("landing", "truth", "warehouse", "publish", "reports")
NAME_COLUMNS = {spec.source: [c for c in spec.columns if c.startswith("nama") and c != "nama_dasawisma"]
                for spec in EXTRACTS}

_ID = re.compile(rb"(?<!\d)\d{16}(?!\d)")
_NOT_LETTERS = re.compile(r"[^A-Z]+")
# Full names: two words or more, or one long word; a short single name ("ADI") also occurs in ordinary text.
MIN_SINGLE_NAME_LETTERS = 8
MAX_NAME_WORDS = 6


def _words(text: str) -> list[str]:
    return _NOT_LETTERS.sub(" ", text.upper()).split()


@dataclass
class PersonalValues:
    """NIKs and No. KKs (16 digits) and full names, normalised to upper-case words, to search for."""

    ids: set[bytes] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add_id(self, value: str | None) -> None:
        digits = re.sub(r"\D", "", value or "")
        if len(digits) == 16:
            self.ids.add(digits.encode())

    def add_name(self, value: str | None) -> None:
        words = _words(value or "")
        letters = sum(map(len, words))
        if len(words) <= MAX_NAME_WORDS and letters >= 4 and (len(words) >= 2 or letters >= MIN_SINGLE_NAME_LETTERS):
            self.names.add(" ".join(words))


def _grams(words: list[str], first_words: set[str] | None = None) -> set[str]:
    """Runs of 1 to MAX_NAME_WORDS words, only those starting with one of `first_words` when given (much faster)."""
    starts = range(len(words)) if first_words is None else [i for i, w in enumerate(words) if w in first_words]
    return {" ".join(words[i:i + n]) for i in starts for n in range(1, min(MAX_NAME_WORDS, len(words) - i) + 1)}


def without_repository_examples(values: PersonalValues) -> PersonalValues:
    """`values` less the made-up examples in the dbt project's unit tests, which dbt copies into its manifest.

    A real person may share a made-up name ("BUDI SANTOSO"): finding that name in dbt's manifest is no leak.
    """
    texts = [p.read_bytes() for p in sorted((REPO_ROOT / "dbt_project").rglob("*"))
             if p.suffix in (".yml", ".sql") and "target" not in p.parts and p.is_file()]
    ids = {i for text in texts for i in _ID.findall(text)}
    grams = {g for text in texts for g in _grams(_words(text.decode("utf-8", errors="ignore")))}
    return PersonalValues(values.ids - ids, values.names - grams)


def find_in_bytes(data: bytes, values: PersonalValues) -> Counter:
    """How many distinct ids and names of `values` occur in `data`, as kinds 'id' and 'name'."""
    hits: Counter = Counter()
    hits["id"] = len(set(_ID.findall(data)) & values.ids)
    first_words = {name.split(" ", 1)[0] for name in values.names}
    hits["name"] = len(_grams(_words(data.decode("utf-8", errors="ignore")), first_words) & values.names)
    return +hits


def scan_tree(root: Path, values: PersonalValues, skip: tuple[str, ...] = ALLOWED_FOLDERS) -> dict[str, Counter]:
    """Files under `root`, except the top-level folders in `skip`, that hold personal values, with counts."""
    leaks = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(root)
        if relative.parts[0] in skip:
            continue
        hits = find_in_bytes(path.read_bytes(), values)
        if hits:
            leaks[str(relative)] = hits
    return leaks


def warehouse_values(paths: QuarterPaths) -> PersonalValues:
    """The NIKs, No. KKs and names of the quarter's raw tables."""
    found = PersonalValues()
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        for spec in EXTRACTS:
            columns = [*spec.id_columns, *NAME_COLUMNS[spec.source]]
            if not warehouse.table_exists(con, "raw", spec.source):
                continue
            for row in con.execute(f"select {', '.join(columns)} from {spec.table}").fetchall():
                for value in row[:len(spec.id_columns)]:
                    found.add_id(value)
                for value in row[len(spec.id_columns):]:
                    found.add_name(value)
    return found


def open_modes(data_dir: Path) -> list[str]:
    """Files and folders under the data dir that group or others may read or enter."""
    return [str(p.relative_to(data_dir)) or "." for p in [data_dir, *data_dir.rglob("*")]
            if stat.S_IMODE(p.lstat().st_mode) & 0o077 and not p.is_symlink()]


def manifest_problems(paths: QuarterPaths) -> list[str]:
    """What does not hold between the quarter's published submission and its manifest."""
    manifest_path = paths.publish / "manifest.json"
    if not manifest_path.is_file():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    submission = paths.publish / manifest["file"]
    if not submission.is_file():
        return [f"publish/{paths.quarter.key}: {manifest['file']} is missing"]
    if sha256_of(submission) != manifest["sha256"]:
        return [f"publish/{paths.quarter.key}: sha256 differs from the manifest"]
    return []


@dataclass
class AuditReport:
    """What the audit found; empty lists and no leaks mean everything holds."""

    open_modes: list[str]
    manifests: list[str]
    leftovers: list[str]
    leaks: dict[str, Counter]
    quarters: list[str]
    audit_log: audit_log.AuditLogReport

    @property
    def clean(self) -> bool:
        return not (self.open_modes or self.manifests or self.leftovers or self.leaks) and self.audit_log.ok

    def render(self) -> str:
        quarters = ", ".join(self.quarters) or "(no quarter)"
        lines = [f"satudata audit {quarters}: {'CLEAN' if self.clean else 'FINDINGS'}"]
        lines += [f"  readable by group or others: {p}" for p in self.open_modes]
        lines += [f"  manifest: {p}" for p in self.manifests]
        lines += [f"  left by a killed run: {p}" for p in self.leftovers]
        lines += [f"  personal data outside the allowed folders: {p} ({c['id']} NIK/KK, {c['name']} names)"
                  for p, c in self.leaks.items()]
        lines += [f"  audit log: {p}" for p in self.audit_log.problems]
        if self.audit_log.ok:
            lines.append(f"  audit log: {self.audit_log.entries} entries, chain intact")
        return "\n".join(lines)


def stores_against_log(data_dir: Path, report: audit_log.AuditLogReport) -> list[str]:
    """Every stored human decision has its audit entry, and every decision entry names a stored one.

    The import appends the entry first: an entry without its decision is an import stopped between the two appends
    (re-import the file); a decision without its entry is a store edited by hand."""
    from orchestration.appeals import store as appeals_store
    from orchestration.review import decisions_store
    from orchestration.verification import results_store

    if not report.ok:
        return []  # the chain's own problems come first; its entries cannot be trusted
    logged: dict[str, dict[str, int]] = {"review": {}, "field": {}, "appeal": {}}
    for entry in audit_log.read_entries(data_dir):
        if entry["kind"] in logged:
            what = entry["what"]
            entry_id = what.get("decision_id") or what.get("result_id") or what.get("appeal_id")
            logged[entry["kind"]][entry_id] = entry["seq"]
    problems = []
    for kind, store, id_of in (("review", decisions_store, lambda d: d.decision_id),
                               ("field", results_store, lambda r: r.result_id),
                               ("appeal", appeals_store, lambda a: a.appeal_id)):
        stored = {id_of(e) for e in store.read_all(data_dir)}
        name = store.store_path(data_dir).relative_to(data_dir)
        problems += [f"entry {seq} names {entry_id}, which {name} does not hold (an import stopped between its two "
                     "appends: import the file again)" for entry_id, seq in sorted(logged[kind].items())
                     if entry_id not in stored]
        problems += [f"{name} holds {entry_id} with no audit log entry (the store was edited by hand)"
                     for entry_id in sorted(stored - set(logged[kind]))]
    return problems


def audit(data_dir: Path) -> AuditReport:
    """Audit the data dir: modes, manifests, leftovers of killed runs, and a leak search with every quarter's values."""
    quarters = sorted(p.stem for p in (data_dir / "warehouse").glob("*.duckdb"))
    values = PersonalValues()
    manifests: list[str] = []
    for key in quarters:
        paths = QuarterPaths(data_dir, Quarter.parse(key))
        found = warehouse_values(paths)
        values.ids |= found.ids
        values.names |= found.names
        manifests += manifest_problems(paths)
    leftovers = [str(p.relative_to(data_dir)) for p in (data_dir / "tmp" / "publish").glob("*")]
    leftovers += [str(p.relative_to(data_dir))
                  for folder in ALLOWED_FOLDERS for p in (data_dir / folder).rglob(f".*{TEMP_SUFFIX}")]
    leaks = scan_tree(data_dir, without_repository_examples(values))
    log = audit_log.verify(data_dir)
    log.problems += stores_against_log(data_dir, log)
    return AuditReport(open_modes(data_dir), manifests, sorted(leftovers), leaks, quarters, log)
