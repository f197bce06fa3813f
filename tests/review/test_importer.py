"""`satudata review import`: a whole returned worklist stored with its audit entries, or nothing at all."""

from __future__ import annotations

import duckdb

from orchestration.cli import main
from orchestration.quarters import Quarter
from orchestration.review import audit_log, decisions_store
from orchestration.review.importer import import_review
from tests.review.test_decisions_file import ENDS, PAIRS, PERSONAL, QUARTER, WORKLIST, broken, set_cell


def _export(data_dir) -> None:
    """The quarter's review_pairs export, as the worklist step writes it."""
    (data_dir / "warehouse").mkdir(parents=True)
    rows = ", ".join(f"('{p}', 'grey_band', '{a}', '{b}', 0.6::double, '{WORKLIST}')" for p, (a, b) in ENDS.items())
    duckdb.sql(f"copy (select * from (values {rows}) t(pair_id, kind, key_l, key_r, match_probability, worklist_id)) "
               f"to '{data_dir}/warehouse/{QUARTER}.review_pairs.parquet' (format parquet)")


def _state(data_dir) -> tuple[bytes, bytes]:
    store, log = decisions_store.store_path(data_dir), data_dir / audit_log.AUDIT_LOG
    return (store.read_bytes() if store.exists() else b""), (log.read_bytes() if log.exists() else b"")


def test_a_valid_file_is_stored_with_one_audit_entry_per_decision(tmp_path):
    data_dir = tmp_path / "data"
    _export(data_dir)
    returned = broken(tmp_path)
    outcome = import_review(data_dir, Quarter.parse(QUARTER), returned, threshold=0.9)
    assert outcome.stored == ["D0000001", "D0000002"]
    stored = decisions_store.in_force(data_dir)
    assert [(d.pair_id, d.decision, d.key_l, d.key_r) for d in stored] == [
        (PAIRS[0], "match", *ENDS[PAIRS[0]]), (PAIRS[1], "not_match", *ENDS[PAIRS[1]])]
    entries = audit_log.read_entries(data_dir)
    assert [(e["kind"], e["what"]["decision_id"], e["before"]["model_linked"]) for e in entries] == [
        ("review", "D0000001", False), ("review", "D0000002", False)]
    assert audit_log.verify(data_dir).ok
    # The same file again (not a second write of it: xlsxwriter stamps each write with the time, so a second
    # written across a clock second has another digest): refused as already imported, nothing stored twice.
    again = import_review(data_dir, Quarter.parse(QUARTER), returned, threshold=0.9)
    assert again.already_imported and len(decisions_store.read_all(data_dir)) == 2


def test_a_bad_file_is_refused_through_the_cli_and_nothing_is_applied(tmp_path, capsys):
    data_dir = tmp_path / "data"
    _export(data_dir)
    import_review(data_dir, Quarter.parse(QUARTER), broken(tmp_path), threshold=0.9)
    before = _state(data_dir)
    bad = broken(tmp_path, set_cell(4, "decision", "maybe"))
    assert main(["review", "import", str(bad), "--quarter", QUARTER, "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "REFUSED, nothing applied" in err and "Pasangan!AD4 (decision)" in err
    assert not any(value in err for value in PERSONAL)
    assert _state(data_dir) == before


def test_a_worklist_of_a_quarter_never_run_here_is_refused(tmp_path, capsys):
    data_dir = tmp_path / "data"
    _export(data_dir)
    assert main(["review", "import", str(broken(tmp_path)), "--quarter", "2025Q3", "--data-dir", str(data_dir)]) == 2
    assert "no review worklist of 2025Q3" in capsys.readouterr().err
    assert _state(data_dir) == (b"", b"")


def test_the_audit_finds_a_decision_without_its_entry_and_an_entry_without_its_decision(tmp_path):
    from orchestration.audit import audit

    data_dir = tmp_path / "data"
    _export(data_dir)
    import_review(data_dir, Quarter.parse(QUARTER), broken(tmp_path), threshold=0.9)
    assert audit(data_dir).audit_log.problems == []
    store = decisions_store.store_path(data_dir)
    lines = store.read_text().splitlines(keepends=True)
    store.write_text(lines[0])  # D0000002 lost: as if the import stopped after the log's append
    assert audit(data_dir).audit_log.problems == [
        "entry 2 names D0000002, which decisions/review_decisions.jsonl does not hold (an import stopped between its "
        "two appends: import the file again)"]
    store.write_text("".join(lines) + lines[1].replace("D0000002", "D0000003"))  # a decision added by hand
    assert audit(data_dir).audit_log.problems == [
        "decisions/review_decisions.jsonl holds D0000003 with no audit log entry (the store was edited by hand)"]
