"""The record scan numbers a file's rows from its bytes as the Python reader does, and says what it cannot vouch for."""

from __future__ import annotations

import pytest

from orchestration.ingest import record_scan
from orchestration.ingest.record_scan import scan_records

HEADER = b"a|b|c\n"


@pytest.mark.parametrize("body, rows, blank, ragged", [
    (b"1|2|3\n4|5|6\n", 2, [], {}),
    (b"\n1|2|3\n\n\n4|5|6\n\n", 6, [1, 3, 4, 6], {}),
    (b"1|2\n1|2|3|4\n   \n||\n", 4, [], {1: 2, 2: 4, 3: 1}),
    (b'1|"x|y"|3\n1|"two\nlines"|3\n1|"a""b"|3\n1|"x|y"\n', 4, [], {4: 2}),
    (b'1|"x\n\ny"|3\n\n', 2, [2], {}),
    (b"1|2|3\n4|5", 2, [], {2: 2}),
    (b"1|2|3\r\n\r\n4|5|6|7\r\n", 3, [2], {3: 4}),
], ids=["plain", "blank-lines", "ragged", "quotes", "blank-line-inside-quotes", "no-final-line-break", "crlf"])
def test_rows_blank_lines_and_ragged_rows(tmp_path, body, rows, blank, ragged, monkeypatch):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.replace(b"\n", b"\r\n" if b"\r" in body else b"\n") + body)
    for block in (record_scan.BLOCK_BYTES, 7):  # and blocks that end inside rows and quotes
        monkeypatch.setattr(record_scan, "BLOCK_BYTES", block)
        scan = scan_records(path, "|", 3)
        assert scan.not_exact is None
        assert (scan.rows, scan.blank_rows) == (rows, blank)
        assert {row: fields for row, (fields, _, _) in scan.ragged_rows.items()} == ragged
    assert scan.ends_with_line_break == body.endswith(b"\n")


def test_byte_spans_of_ragged_rows_and_samples(tmp_path, monkeypatch):
    monkeypatch.setattr(record_scan, "SAMPLE_EVERY", 2)
    path = tmp_path / "f.csv"
    data = HEADER + b"1|2|3\n4|5\n7|8|9\n10|11|12\n13|14|15\n"
    path.write_bytes(data)
    scan = scan_records(path, "|", 3)
    fields, start, end = scan.ragged_rows[2]
    assert data[start:end] == b"4|5"
    # Every second row that parses, and the last one.
    assert {row: data[a:b] for row, (a, b) in scan.samples.items()} == {4: b"10|11|12", 5: b"13|14|15"}
    assert (scan.last_row, scan.good_rows) == (5, 4)


@pytest.mark.parametrize("body, reason", [
    (b"1|2|3\r4|5|6\r", "a carriage return without a line feed"),
    (b"1|2|3\r\n4|5|6\n", "a mix of CRLF and LF line ends"),
    (b"1|2\x00|3\n", "NUL bytes"),
    (b"1|\xe9|3\n", "bytes that are not UTF-8"),
    (b'1|a"b|3\n', "a quote inside a field that is not quoted"),
    (b'1| "b"|3\n', "a quote inside a field that is not quoted"),
    (b'1|"b" |3\n', "a quote inside a field that is not quoted"),
    (b'1|"b|3\n4|5|6\n', "the file ends inside a quoted field"),
    (b'1|2|3\n""\n', 'a row that is only an empty quoted field'),
    (b"1|" + b"x" * (1 << 20) + b"|3\n", "a record longer than"),
    (b"1|" + b"x" * (1 << 20), "a record longer than"),
    (b"1|" + b"x" * (9 << 20), "a line longer than"),
])
def test_what_the_scan_cannot_vouch_for(tmp_path, body, reason):
    path = tmp_path / "f.csv"
    path.write_bytes(HEADER + body)
    assert scan_records(path, "|", 3).not_exact.startswith(reason)
