"""Stable person ids: a cluster takes the id of the last published quarter's person it shares most identifiers with.

The identifiers kept between quarters are keyed hashes (HMAC-SHA256), never NIKs or names: see docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.load import file_sha256
from orchestration.paths import QuarterPaths
from orchestration.publish.csv_export import export_parquet
from orchestration.publish.files import private_dir

# What identifies a person from one quarter to the next: a valid NIK (Dukcapil keeps it for life), and the name
# with the birth date for people without one. List record ids are not used: the lists renumber every extract.
KEYS_SQL = """
select cluster_id, key
from (
    select
        c.cluster_id,
        -- unnest in the select list: as a lateral join (from ..., unnest(...)) it took four times as long
        unnest([
            case when r.nik is not null then 'nik:' || r.nik end,
            case when r.nama_match is not null and r.tanggal_lahir is not null
                 then 'name_dob:' || r.nama_match || '|' || r.tanggal_lahir end
        ]) as key
    from clusters c
    join records r using (unique_id)
)
where key is not null
group by all
"""

# An id for a person first seen in a quarter: opaque, P and 12 hex digits (48 bits, the format appeals check) of a
# hash of the quarter and cluster; unique within the quarter (_give_clashing_ids_another).
NEW_ID_HEX_DIGITS = 12


def new_person_id_sql(cluster_id: str, attempt: int = 0) -> str:
    """SQL: the new id of the cluster `cluster_id` (a column), or its `attempt`-th other one after a clash."""
    salt = f" || '|{attempt}'" if attempt else ""
    return f"'P' || upper(left(md5($quarter || '|' || {cluster_id}{salt}), {NEW_ID_HEX_DIGITS}))"

SECRET_ENV = "SATUDATA_PERSON_KEY_SECRET"
SECRET_FILE = Path("secrets") / "person_key"  # under the data dir, 0600, made once when the variable is not set
MIN_SECRET_BYTES = 32
# What the keys file records of the key it was made with: an HMAC of this fixed text, so that a rotated key is
# seen as such instead of silently carrying no id over.
KEY_ID_MESSAGE = b"satudata person key id"
HMAC_BLOCK = 64  # SHA-256's block size in bytes


def person_key_secret(data_dir: Path) -> bytes:
    """The HMAC key: $SATUDATA_PERSON_KEY_SECRET, else <data dir>/secrets/person_key (created once, 0600)."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env is not None:
        if len(from_env.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"${SECRET_ENV} must be at least {MIN_SECRET_BYTES} bytes long (e.g. 64 hex digits "
                             "from `openssl rand -hex 32`)")
        return from_env.encode()
    path = data_dir / SECRET_FILE
    private_dir(path.parent)
    try:
        # O_EXCL: two runs starting at once cannot both create it, and an existing key is never replaced.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
    secret = path.read_bytes().strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"{path} holds fewer than {MIN_SECRET_BYTES} bytes: restore it from its backup, or set "
                         f"${SECRET_ENV} (a new key carries no person id over, see docs/security.md)")
    return secret


def key_id(secret: bytes) -> str:
    """A short fingerprint of the key (not the key): equal for equal keys, so a rotation is detected."""
    return hmac.new(secret, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


def _hmac_pads(secret: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104), so that DuckDB's sha256 can compute the HMAC."""
    key = (secret if len(secret) <= HMAC_BLOCK else hashlib.sha256(secret).digest()).ljust(HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_params(secret: bytes) -> dict[str, bytes]:
    """The query parameters `hmac_sql` needs: the padded keys go in as parameters, never into the SQL text."""
    inner, outer = _hmac_pads(secret)
    return {"inner": inner, "outer": outer}


def hmac_sql(text: str) -> str:
    """SQL: HMAC-SHA256 of the text expression `text` in hex (H(outer || H(inner || text))), as Python's hmac."""
    return f"sha256($outer || unhex(sha256($inner || encode({text}))))"


def _hash_keys(con: duckdb.DuckDBPyConnection, secret: bytes) -> None:
    """Table cluster_key_hashes (cluster_id, key_hash) from cluster_keys: HMAC-SHA256 of each key, in hex.

    Computed in DuckDB (H(outer || H(inner || key)), the same digest as Python's hmac; a test holds them equal):
    in a Python loop it took 9 s of the linkage step at 1M rows. The padded keys go in as parameters, never into
    the SQL text.
    """
    con.execute("create or replace temp table cluster_key_hashes as "
                f"select cluster_id, {hmac_sql('key')} as key_hash from cluster_keys", hmac_params(secret))


def _carry_ids(con: duckdb.DuckDBPyConnection, previous_keys: Path, secret: bytes) -> None:
    """Table carried_ids (cluster_id, person_id): the previous person id each cluster takes, greedy by shared keys
    (the pairs sharing the most keys first), ties by cluster and person id, each previous id to one cluster.

    A cluster and a previous person that are each other's only candidate are matched in SQL: the greedy order
    reaches their pair with both still free, and no other pair involves either. Only the contested pairs (a split
    or a merged person) go through the greedy loop in Python.
    """
    con.execute(
        "create or replace temp table id_votes as select c.cluster_id, p.person_id, count(*) as shared "
        "from cluster_key_hashes c "
        f"join (select * from read_parquet('{previous_keys}') where key_id = $key_id) p using (key_hash) "
        "group by all", {"key_id": key_id(secret)})
    con.execute(
        "create or replace temp table carried_ids as select cluster_id, person_id from id_votes "
        "qualify count(*) over (partition by cluster_id) = 1 and count(*) over (partition by person_id) = 1")
    contested = con.execute(
        "select cluster_id, person_id from id_votes v "
        "where not exists (select 1 from carried_ids c where c.cluster_id = v.cluster_id) "
        "order by shared desc, cluster_id, person_id").fetchall()
    carried: dict[str, str] = {}
    taken: set[str] = set()
    for cluster_id, person_id in contested:
        if cluster_id not in carried and person_id not in taken:
            carried[cluster_id] = person_id
            taken.add(person_id)
    con.register("contested_ids", pa.table({"cluster_id": pa.array(list(carried), pa.string()),
                                            "person_id": pa.array(list(carried.values()), pa.string())}))
    con.execute("insert into carried_ids select cluster_id, person_id from contested_ids")
    con.unregister("contested_ids")


def assign_person_ids(
    con: duckdb.DuckDBPyConnection, quarter: str, previous_keys: Path | None, secret: bytes | None
) -> dict[str, int]:
    """Add `person_id` to table `clusters` (with `records` beside it); return how many ids were carried over.

    `previous_keys` is the keys export of the latest published earlier quarter (published_keys). Greedy by
    overlap: the pairs (cluster, previous person) sharing the most keys are matched first, and each previous id
    goes to one cluster at most. Ties resolve by cluster and person id, so a re-run gives the same ids. Keys made
    with another secret (a rotated key) match nothing: `other_key_rows` counts them.
    """
    if not secret:
        raise ValueError("person ids need the HMAC key (person_key_secret): keys are never kept in clear")
    con.execute(f"create or replace temp table cluster_keys as {KEYS_SQL}")
    _hash_keys(con, secret)
    other_key = 0
    con.execute("create or replace temp table carried_ids (cluster_id varchar, person_id varchar)")
    if previous_keys is not None and previous_keys.is_file():
        other_key = con.execute(f"select count(*) from read_parquet('{previous_keys}') where key_id is distinct "
                                "from $key_id", {"key_id": key_id(secret)}).fetchall()[0][0]
        _carry_ids(con, previous_keys, secret)
    con.execute(f"""create or replace temp table cluster_person as
        select c.cluster_id, coalesce(k.person_id, {new_person_id_sql('c.cluster_id')}) as person_id,
            k.person_id is not null as carried, 0 as draw
        from (select distinct cast(cluster_id as varchar) as cluster_id from clusters) c
        left join carried_ids k using (cluster_id)""", {"quarter": quarter})
    _give_clashing_ids_another(con, quarter)
    con.execute("create or replace table clusters as select c.*, p.person_id from clusters c "
                "join cluster_person p on p.cluster_id = cast(c.cluster_id as varchar)")
    people, carried = con.execute("select count(*), (select count(*) from carried_ids) from cluster_person").fetchone()
    return {"carried_over": carried, "new": people - carried, "other_key_rows": int(other_key)}


def _give_clashing_ids_another(con: duckdb.DuckDBPyConnection, quarter: str) -> None:
    """A new id that another person of the quarter already has is drawn again for that cluster, until none clash.

    48 bits leave about 0.09 clashing pairs among the 7M new people of a first whole-Jakarta quarter, and one id on
    two clusters would make them one person in the golden record. A carried id keeps it, then the id of the earlier
    draw, then that of the smaller cluster_id; a draw hashes the cluster with its number, so a re-run gives the same.
    """
    for attempt in range(1, 101):
        clashing = [c for c, in con.execute(
            "select cluster_id from (select cluster_id, row_number() over (partition by person_id "
            "order by carried desc, draw, cluster_id) as holder from cluster_person where person_id in "
            "(select person_id from cluster_person group by person_id having count(*) > 1)) where holder > 1"
        ).fetchall()]
        if not clashing:
            return
        con.execute(f"update cluster_person set person_id = {new_person_id_sql('cluster_id', attempt)}, "
                    f"draw = {attempt} "
                    "where cluster_id in (select unnest($clashing))", {"quarter": quarter, "clashing": clashing})
    raise RuntimeError(f"new person ids still clash after 100 draws ({NEW_ID_HEX_DIGITS} hex digits)")


def export_keys(con: duckdb.DuckDBPyConnection, target: Path, quarter: str, secret: bytes) -> None:
    """Write (person_id, key_hash, key_id) for the next quarter to carry ids from, replacing the file atomically."""
    # No `distinct`: cluster_keys holds each (cluster, key) once and each cluster has one person_id, so the rows are
    # distinct already; on 17M such rows the distinct took 58.8 s of 80 and wrote the same file.
    export_parquet(con, f"select p.person_id, k.key_hash, '{key_id(secret)}' as key_id "
                        "from cluster_key_hashes k join cluster_person p using (cluster_id) order by all",
                   target, quarter)


def published_keys(paths: QuarterPaths) -> tuple[Path | None, str]:
    """The keys export of the latest published earlier quarter that vouches for it, and where ids came from.

    A quarter's manifest records the sha256 of the keys export its ids were assigned with. A later run of that
    quarter that did not publish rewrites the export; it then no longer matches, and the quarter before is used.
    """
    passed_over = []
    for published in paths.published_earlier():
        recorded = published.manifest.get("person_keys")
        path = QuarterPaths(paths.data_dir, published.quarter).export("person_keys")
        if not recorded or recorded.get("file") != path.name:
            passed_over.append(f"{published.quarter.key} has no person keys in its manifest")
        elif not path.is_file():
            passed_over.append(f"{published.quarter.key}'s person keys are missing")
        elif file_sha256(path) != recorded["sha256"]:
            passed_over.append(f"{published.quarter.key}'s person keys were rewritten by a run that did not publish")
        else:
            return path, "; ".join([f"{published.quarter.key} (published)", *passed_over])
    return None, "; ".join(["none (no earlier quarter published)", *passed_over])
