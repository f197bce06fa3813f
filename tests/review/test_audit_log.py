"""The audit log of human decisions on real files: the chain, what breaks it, what it refuses, two writers at once."""

from __future__ import annotations

import json
import multiprocessing
import re
import stat

import pytest

from orchestration.cli import main
from orchestration.review.audit_log import AUDIT_LOG, GENESIS, AuditLogError, append_entries, read_entries, verify

NIK = "3171012345678901"


def _entry(i: int, **changes) -> dict:
    return {"kind": "review", "actor": "STAFF-07", "run_id": None, "source_file_sha256": "ab" * 32,
            "what": {"decision_id": f"D{i:07d}", "pair_id": f"P{i}", "key_l": "cd" * 32, "quarter": "2025Q2"},
            "before": {"model_match_probability": 0.8123456789012345}, "after": {"decision": "match"}, **changes}


def _logged(data_dir, count: int = 5) -> list[bytes]:
    append_entries(data_dir, [_entry(i) for i in range(1, count + 1)])
    return (data_dir / AUDIT_LOG).read_bytes().splitlines(keepends=True)


def _rewrite(data_dir, lines: list[bytes]) -> None:
    (data_dir / AUDIT_LOG).write_bytes(b"".join(lines))


def test_appended_entries_verify_and_read_back(tmp_path):
    written = append_entries(tmp_path, [_entry(1), _entry(2)])
    assert [e["seq"] for e in written] == [1, 2]
    assert written[0]["prev_hash"] == GENESIS and written[1]["prev_hash"] == written[0]["hash"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written[0]["at"])
    report = verify(tmp_path)
    assert report.ok and report.entries == 2 and report.problems == []
    assert read_entries(tmp_path) == written


def test_a_missing_log_is_fine_and_empty(tmp_path):
    report = verify(tmp_path)
    assert report.ok and report.entries == 0
    assert append_entries(tmp_path, []) == [] and not (tmp_path / AUDIT_LOG).exists()


def test_the_chain_continues_across_appends(tmp_path):
    first = append_entries(tmp_path, [_entry(1)])
    later = append_entries(tmp_path, [_entry(2), _entry(3)])
    assert [e["seq"] for e in later] == [2, 3] and later[0]["prev_hash"] == first[0]["hash"]
    assert verify(tmp_path).entries == 3
    head = json.loads((tmp_path / "decisions" / "audit_log.head").read_text())
    assert head == {"seq": 3, "hash": later[-1]["hash"]}


def _edit_middle(lines):
    lines[2] = lines[2].replace(b'"decision":"match"', b'"decision":"not_match"')


def _delete_middle(lines):
    del lines[2]


def _swap(lines):
    lines[1], lines[2] = lines[2], lines[1]


def _truncate_last_line(lines):
    lines[-1] = lines[-1][:40]


def _remove_last_entry(lines):
    del lines[-1]


def _duplicate_key(lines):
    lines[2] = lines[2].replace(b'{"decision":"match"}', b'{"decision":"not_match","decision":"match"}')


def _not_json(lines):
    lines[1] = b"{not json\n"


@pytest.mark.parametrize(("tamper", "found"), [
    (_edit_middle, ["line 3 (seq 3): hash does not match the content (the entry was edited)"]),
    (_delete_middle, ["line 3 (seq 4): seq 3 expected here", "line 3 (seq 4): prev_hash is not the hash"]),
    (_swap, ["line 2 (seq 3): seq 2 expected here", "line 3 (seq 2): seq 4 expected here",
             "line 4 (seq 4): prev_hash is not the hash"]),
    (_truncate_last_line, ["line 5: cut off (no line end)",
                           "the log ends at seq 4 but its head records seq 5: entries were cut off or rolled back"]),
    (_remove_last_entry, ["the log ends at seq 4 but its head records seq 5"]),
    (_duplicate_key, ["line 3 (seq 3): hash does not match the content"]),
    (_not_json, ["line 2: not a JSON object"]),
])
def test_tampering_is_found_and_the_broken_log_takes_no_more(tmp_path, tamper, found):
    lines = _logged(tmp_path)
    tamper(lines)
    _rewrite(tmp_path, lines)
    report = verify(tmp_path)
    assert not report.ok
    for fragment in found:
        assert any(fragment in p for p in report.problems), report.problems
    assert not any("STAFF-07" in p or "not_match" in p or "D000" in p for p in report.problems)
    before = (tmp_path / AUDIT_LOG).read_bytes()
    with pytest.raises(AuditLogError, match="does not verify, nothing appended"):
        append_entries(tmp_path, [_entry(9)])
    with pytest.raises(AuditLogError):
        read_entries(tmp_path)
    assert (tmp_path / AUDIT_LOG).read_bytes() == before


def test_removing_the_head_is_found(tmp_path):
    _logged(tmp_path)
    (tmp_path / "decisions" / "audit_log.head").unlink()
    assert verify(tmp_path).problems == ["audit_log.head is missing: a cut-off end of the log could not be seen"]


def test_a_log_that_runs_past_its_head_is_mended_by_the_next_append(tmp_path):
    # A crash between appending the lines and rewriting the head leaves the head one batch behind.
    head = tmp_path / "decisions" / "audit_log.head"
    append_entries(tmp_path, [_entry(1)])
    behind = head.read_bytes()
    append_entries(tmp_path, [_entry(2)])
    head.write_bytes(behind)
    assert verify(tmp_path).ok
    append_entries(tmp_path, [_entry(3)])
    assert json.loads(head.read_text())["seq"] == 3 and verify(tmp_path).entries == 3


def test_a_crash_within_the_first_append_leaves_a_log_that_verifies(tmp_path):
    # The head is written before the first line, so a log whose head was never rewritten still verifies.
    written = append_entries(tmp_path, [_entry(1)])
    (tmp_path / "decisions" / "audit_log.head").write_text(json.dumps({"seq": 0, "hash": GENESIS}))
    assert verify(tmp_path).ok
    assert append_entries(tmp_path, [_entry(2)])[0]["prev_hash"] == written[0]["hash"]


def test_satudata_audit_reports_the_chain(tmp_path, capsys):
    # Runs' entries: review entries would also need their decisions in the store (tests/review/test_importer.py).
    append_entries(tmp_path, [_entry(i, kind="applied") for i in range(1, 6)])
    lines = (tmp_path / AUDIT_LOG).read_bytes().splitlines(keepends=True)
    assert main(["audit", "--data-dir", str(tmp_path)]) == 0
    assert "audit log: 5 entries, chain intact" in capsys.readouterr().out
    _edit_middle(lines)
    _rewrite(tmp_path, lines)
    assert main(["audit", "--data-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("satudata audit (no quarter): FINDINGS")
    assert "  audit log: line 3 (seq 3): hash does not match the content (the entry was edited)" in out
    assert "chain intact" not in out


@pytest.mark.parametrize("changes", [
    {"what": {"pair_id": "P1", "notes": [{"nik": f"NIK {NIK} typed in"}]}},
    {"what": {NIK: "P1"}},
    {"before": f"kk={NIK}"},
    {"after": {"nik": int(NIK)}},
    {"actor": NIK},
])
def test_a_16_digit_number_anywhere_is_refused_and_nothing_is_written(tmp_path, changes):
    with pytest.raises(AuditLogError, match="16-digit") as refused:
        append_entries(tmp_path, [_entry(1), _entry(2, **changes)])
    assert NIK not in str(refused.value)
    assert not (tmp_path / AUDIT_LOG).exists()
    _logged(tmp_path, 2)
    before = (tmp_path / AUDIT_LOG).read_bytes()
    with pytest.raises(AuditLogError):
        append_entries(tmp_path, [_entry(3, **changes)])
    assert (tmp_path / AUDIT_LOG).read_bytes() == before


def test_other_numbers_and_digests_are_taken(tmp_path):
    append_entries(tmp_path, [_entry(1, what={"row": 12, "long": "3" * 17, "short": "3" * 15,
                                              "key": "0123456789abcdef" * 4,
                                              # Hashes and pair ids whose hex digits happen to be 16 decimals.
                                              "key_l": "ab" + "1234567890123456" + "cd" * 23,
                                              "pair_id": "RV1234567890123456"})])
    assert verify(tmp_path).ok


def test_a_nik_inside_a_hash_shaped_but_longer_value_is_still_refused(tmp_path):
    with pytest.raises(AuditLogError, match="16-digit"):
        append_entries(tmp_path, [_entry(1, what={"key_l": "ab" + NIK + "cd" * 24})])


@pytest.mark.parametrize("changes", [{"kind": "gossip"}, {"actor": ""}, {"what": "text"}, {"run_id": 7},
                                     {"extra": 1}, {"before": float("nan")}, {"after": {1, 2}}])
def test_malformed_entries_are_refused(tmp_path, changes):
    with pytest.raises(AuditLogError, match="audit log entry 1"):
        append_entries(tmp_path, [_entry(1, **changes)])
    assert not (tmp_path / AUDIT_LOG).exists()


def _append_many(data_dir, writer: int) -> None:
    for i in range(50):
        append_entries(data_dir, [_entry(i, actor=f"STAFF-{writer}")])


def test_two_processes_appending_at_once_leave_one_chain(tmp_path):
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_append_many, args=(tmp_path, w)) for w in (1, 2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    entries = read_entries(tmp_path)
    assert [e["seq"] for e in entries] == list(range(1, 101))
    assert sorted(e["actor"] for e in entries) == ["STAFF-1"] * 50 + ["STAFF-2"] * 50


def test_the_log_is_owner_only(tmp_path):
    _logged(tmp_path, 1)
    folder = tmp_path / "decisions"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("audit_log.jsonl", "audit_log.head", "audit_log.lock"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
