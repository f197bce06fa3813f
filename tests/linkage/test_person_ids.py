"""Person ids from keyed hashes: the HMAC key, the keys file (no clear NIK or name), and published-only carry-over."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import stat
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.linkage.person_ids import (
    SECRET_ENV,
    _carry_ids,
    assign_person_ids,
    export_keys,
    key_id,
    person_key_secret,
    published_keys,
)
from orchestration.paths import QuarterPaths
from orchestration.quarters import Quarter

SECRET = b"k" * 32
# Three people as Splink's input would hold them; the third has no NIK.
RECORDS = [
    ("dtks:1", "3171011708450012", "BUDI SANTOSO", "1945-08-17"),
    ("carik:1", "3171011708450012", "BUDI SANTOSO", "1945-08-17"),
    ("dtks:2", "3172025103900003", "SITI AMINAH", "1990-03-11"),
    ("p3ke:1", None, "RUDI HARTONO", "1988-12-01"),
]
CLUSTERS = [("dtks:1", "c1"), ("carik:1", "c1"), ("dtks:2", "c2"), ("p3ke:1", "c3")]


def _linked(clusters=CLUSTERS) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("r", pa.table({k: [r[i] for r in RECORDS] for i, k in
                                enumerate(("unique_id", "nik", "nama_match", "tanggal_lahir"))}))
    con.execute("create table records as select * from r")
    con.register("c", pa.table({"unique_id": [c[0] for c in clusters], "cluster_id": [c[1] for c in clusters]}))
    con.execute("create table clusters as select * from c")
    return con


def _ids(con) -> dict[str, str]:
    return dict(con.execute("select unique_id, person_id from clusters").fetchall())


def test_the_keys_file_holds_keyed_hashes_not_niks_or_names(tmp_path):
    con = _linked()
    assign_person_ids(con, "2025Q1", None, SECRET)
    target = tmp_path / "2025Q1.person_keys.parquet"
    export_keys(con, target, "2025Q1", SECRET)
    raw = target.read_bytes()
    values = [v for _, nik, name, dob in RECORDS for v in filter(None, (nik, name, dob, nik and nik[:12],
                                                                         name.split()[0]))]
    found = [i for i, value in enumerate(values) if value.encode() in raw]
    assert found == []  # indexes, not values, in the message
    assert b"nik:" not in raw and b"name_dob:" not in raw
    table = pq.read_table(target)
    assert table.column_names == ["person_id", "key_hash", "key_id"]
    assert all(len(h) == 64 for h in table.column("key_hash").to_pylist())
    # The hash is HMAC-SHA256 of the key: without the secret, sha256 of a guessed NIK finds nothing.
    guessed = hashlib.sha256(b"nik:3171011708450012").hexdigest()
    assert guessed not in table.column("key_hash").to_pylist()
    assert oct(stat.S_IMODE(os.stat(target).st_mode)) == "0o600"


def test_ids_carry_over_with_the_same_key_and_not_with_a_rotated_one(tmp_path):
    first = _linked()
    assign_person_ids(first, "2025Q1", None, SECRET)
    keys = tmp_path / "2025Q1.person_keys.parquet"
    export_keys(first, keys, "2025Q1", SECRET)
    # Next quarter: other cluster ids, the same people.
    renumbered = [(u, {"c1": "x9", "c2": "x7", "c3": "x8"}[c]) for u, c in CLUSTERS]
    second = _linked(renumbered)
    counts = assign_person_ids(second, "2025Q2", keys, SECRET)
    assert counts == {"carried_over": 3, "new": 0, "other_key_rows": 0}
    assert _ids(second) == _ids(first)
    rotated = _linked(renumbered)
    counts = assign_person_ids(rotated, "2025Q2", keys, b"r" * 32)
    assert counts["carried_over"] == 0 and counts["other_key_rows"] == pq.read_table(keys).num_rows
    assert not set(_ids(rotated).values()) & set(_ids(first).values())


def test_no_ids_without_a_key():
    with pytest.raises(ValueError, match="HMAC key"):
        assign_person_ids(_linked(), "2025Q1", None, b"")


def test_the_key_is_made_once_under_the_data_dir_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    data_dir = tmp_path / "data"
    secret = person_key_secret(data_dir)
    path = data_dir / "secrets" / "person_key"
    assert len(secret) == 64 and path.read_bytes().strip() == secret
    assert oct(stat.S_IMODE(path.stat().st_mode)) == "0o600"
    assert oct(stat.S_IMODE(path.parent.stat().st_mode)) == "0o700"
    assert person_key_secret(data_dir) == secret  # kept, never replaced
    monkeypatch.setenv(SECRET_ENV, "e" * 64)
    assert person_key_secret(data_dir) == b"e" * 64  # the environment overrides the file
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(ValueError, match=SECRET_ENV) as refused:
        person_key_secret(data_dir)
    assert "short" not in str(refused.value)


def _publish(data_dir, quarter: str, *, keys: bytes | None, verdict: str = "PASSED", recorded_keys: bool = True):
    """A publish folder with a manifest that verifies (or, with verdict BLOCKED, one that does not)."""
    folder = data_dir / "publish" / quarter
    folder.mkdir(parents=True)
    (folder / "bps_submission.csv").write_text("person_id\nP1\n")
    manifest = {"quarter": quarter, "file": "bps_submission.csv", "row_count": 1, "gate": {"verdict": verdict},
                "sha256": hashlib.sha256(b"person_id\nP1\n").hexdigest()}
    export = QuarterPaths(data_dir, Quarter.parse(quarter)).export("person_keys")
    if keys is not None:
        export.parent.mkdir(parents=True, exist_ok=True)
        export.write_bytes(keys)
        if recorded_keys:
            manifest["person_keys"] = {"file": export.name, "sha256": hashlib.sha256(keys).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return export


def test_ids_come_from_the_latest_published_quarter_never_from_a_blocked_export(tmp_path):
    data_dir = tmp_path / "data"
    paths = QuarterPaths(data_dir, Quarter.parse("2025Q4"))
    assert published_keys(paths) == (None, "none (no earlier quarter published)")
    q1 = _publish(data_dir, "2025Q1", keys=b"keys of 2025Q1")
    # 2025Q2 ran and blocked: its export exists, but no publish folder.
    blocked = QuarterPaths(data_dir, Quarter.parse("2025Q2")).export("person_keys")
    blocked.write_bytes(b"keys of a blocked run")
    # 2025Q3 has a manifest, but its gate did not pass (a hand-made folder): not published either.
    _publish(data_dir, "2025Q3", keys=b"keys of 2025Q3", verdict="BLOCKED")
    assert published_keys(paths) == (q1, "2025Q1 (published)")
    assert [p.quarter.key for p in paths.published_earlier()] == ["2025Q1"]


def test_keys_rewritten_after_publication_are_passed_over(tmp_path):
    """A later run of a published quarter that blocked rewrote its export: the quarter before is used."""
    data_dir = tmp_path / "data"
    q1 = _publish(data_dir, "2025Q1", keys=b"keys of 2025Q1")
    q2 = _publish(data_dir, "2025Q2", keys=b"keys of 2025Q2")
    paths = QuarterPaths(data_dir, Quarter.parse("2025Q3"))
    assert published_keys(paths)[0] == q2
    q2.write_bytes(b"keys of a later, blocked run of 2025Q2")
    path, note = published_keys(paths)
    assert path == q1
    assert note == "2025Q1 (published); 2025Q2's person keys were rewritten by a run that did not publish"
    # Nor is the submission of a published quarter allowed to differ from its manifest.
    (data_dir / "publish" / "2025Q1" / "bps_submission.csv").write_text("person_id\nP2\n")
    assert published_keys(paths)[0] is None


@pytest.mark.parametrize("secret", [SECRET, b"x" * 100], ids=["32-byte key", "key longer than a block"])
def test_the_keyed_hashes_made_in_duckdb_are_pythons_hmac_sha256(tmp_path, secret):
    """Keys files written before the hashing moved into DuckDB still carry ids: the digests are the same."""
    con = _linked()
    con.execute("update records set nama_match = 'SITI ÄMINAH' where unique_id = 'dtks:2'")  # not only ASCII
    assign_person_ids(con, "2025Q1", None, secret)
    keys = [k for (k,) in con.execute("select distinct key from cluster_keys order by key").fetchall()]
    target = tmp_path / "keys.parquet"
    export_keys(con, target, "2025Q1", secret)
    assert sorted(pq.read_table(target).column("key_hash").to_pylist()) == sorted(
        hmac.new(secret, k.encode(), hashlib.sha256).hexdigest() for k in keys)


def test_contested_ids_go_as_the_greedy_rule_says(tmp_path):
    """Random splits and merges between two quarters: the ids carried equal a plain greedy over every pair."""
    rng = random.Random(7)
    previous = [(f"P{p:03d}", f"h{k:04d}") for p in range(300) for k in rng.sample(range(700), rng.randint(1, 3))]
    pq.write_table(pa.table({"person_id": [p for p, _ in previous], "key_hash": [h for _, h in previous],
                             "key_id": [key_id(SECRET)] * len(previous)}), tmp_path / "previous.parquet")
    current = sorted({(f"c{rng.randrange(320):03d}", h) for _, h in previous if rng.random() < 0.9})
    con = duckdb.connect()
    con.register("c", pa.table({"cluster_id": [c for c, _ in current], "unique_id": [c for c, _ in current]}))
    con.execute("create table clusters as select distinct cluster_id, unique_id from c")
    con.register("k", pa.table({"cluster_id": [c for c, _ in current], "key_hash": [h for _, h in current]}))
    con.execute("create temp table cluster_key_hashes as select * from k")
    _carry_ids(con, tmp_path / "previous.parquet", SECRET)
    got = dict(con.execute("select cluster_id, person_id from carried_ids").fetchall())

    holders = {}
    for person, key in previous:
        holders.setdefault(key, set()).add(person)
    shared = Counter((cluster, person) for cluster, key in current for person in holders.get(key, ()))
    expected, taken = {}, set()
    for (cluster, person), _ in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
        if cluster not in expected and person not in taken:
            expected[cluster] = person
            taken.add(person)
    assert got == expected
    assert len(expected) > 100 and len({c for c, _ in shared}) > len(expected)  # contested clusters were there


def test_a_new_id_another_person_has_is_drawn_again(monkeypatch):
    """With one hex digit (16 ids) twelve new people clash: each id ends on one person, the first draw's smallest
    cluster keeps it, and a re-run gives the same ids."""
    import orchestration.linkage.person_ids as person_ids

    monkeypatch.setattr(person_ids, "NEW_ID_HEX_DIGITS", 1)
    clusters = [(f"u{i}", f"c{i}") for i in range(12)]
    first = {c: "P" + hashlib.md5(f"2025Q2|{c}".encode()).hexdigest()[:1].upper() for _, c in clusters}
    assert len(set(first.values())) < len(first)  # the first draw clashes
    got = []
    for _ in range(2):
        con = duckdb.connect()
        con.execute("create table records (unique_id varchar, nik varchar, nama_match varchar, tanggal_lahir varchar)")
        con.executemany("insert into records values (?, null, null, null)", [(u,) for u, _ in clusters])
        con.register("c", pa.table({"unique_id": [u for u, _ in clusters], "cluster_id": [c for _, c in clusters]}))
        con.execute("create table clusters as select * from c")
        assert assign_person_ids(con, "2025Q2", None, SECRET)["new"] == 12
        got.append(dict(con.execute("select cluster_id, person_id from cluster_person").fetchall()))
    ids = got[0]
    assert got[1] == ids and len(set(ids.values())) == 12
    for pid in set(first.values()):
        assert ids[min(c for c, p in first.items() if p == pid)] == pid
