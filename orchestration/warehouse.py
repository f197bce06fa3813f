"""Opening a quarter's DuckDB warehouse file, with a clear message when another process holds it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration import machine

_LOCK_HOLDER = re.compile(r"PID (\d+)")


class WarehouseLocked(RuntimeError):
    """Another process has the quarter's DuckDB file open for writing."""


def _holder_command(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace").strip()
    except OSError:
        return "no longer running"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether `schema.table` exists in the open warehouse."""
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()[0][0])


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the DuckDB file (creating its folder), yield the connection, always close it."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" not in message.lower():
            raise
        match = _LOCK_HOLDER.search(message)
        holder = f"process {match.group(1)} ({_holder_command(match.group(1))})" if match else "another process"
        raise WarehouseLocked(
            f"{path} is locked by {holder}; DuckDB allows one writer per file: wait for that run to finish "
            "or stop it"
        ) from None
    try:
        # The machine's budget, not DuckDB's default of 80 % of the RAM: beyond it DuckDB spills to <file>.tmp.
        con.execute(f"set memory_limit = '{machine.duckdb_memory_limit()}'")
        con.execute(f"set threads = {machine.duckdb_threads()}")
        yield con
    finally:
        con.close()
