"""A read-only data dir and a full disk end `satudata run` with one clear sentence, not a stack trace.

Each run happens in its own user and mount namespace (`unshare -rm`, no root needed), where the folder is remounted
read-only or replaced by a tiny tmpfs; nothing outside the test sees the mounts.
"""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.storage import StorageError, check_writable, explain
from tests.conftest import QUARTER
from tests.trust import runs

def _run_with_mount(data_dir: Path, mount: str) -> subprocess.CompletedProcess:
    script = f'{mount} && exec "$@"'
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh",
                           *runs.command(data_dir, "run", "--quarter", QUARTER)],
                          capture_output=True, text=True, env=runs.environment(data_dir), timeout=600)


def test_read_only_data_dir(data_dir, landing):
    done = _run_with_mount(data_dir, f"mount --bind {data_dir} {data_dir} && mount -o remount,bind,ro {data_dir}")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert f"satudata run: FAILED: {data_dir}: the file system is read-only" in done.stderr
    assert "SATUDATA_DATA_DIR" in done.stderr
    assert not (data_dir / "warehouse").exists()


def test_full_disk_under_the_warehouse(data_dir, landing):
    warehouse = data_dir / "warehouse"
    warehouse.mkdir(parents=True)
    done = _run_with_mount(data_dir, f"mount -t tmpfs -o size=256k tmpfs {warehouse}")
    printed = done.stdout + done.stderr
    assert done.returncode == 1
    assert "Traceback" not in printed
    assert f"satudata run {QUARTER}: FAILED" in done.stdout
    assert f"{warehouse}: the disk is full" in done.stdout
    assert "free space there or point SATUDATA_DATA_DIR elsewhere, then re-run the quarter" in done.stdout
    assert not (data_dir / "publish" / QUARTER).exists()


def test_explain_recognises_the_errno_and_the_words_of_duckdb(tmp_path):
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.csv"))
    assert explain(full, Path("/elsewhere")).startswith(f"{tmp_path}: the disk is full")
    duck = duckdb.IOException("IO Error: Could not write file \"w.duckdb\": No space left on device")
    assert "the disk is full" in explain(duck, tmp_path)
    assert "read-only" in explain(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert explain(ValueError("a value that is not right"), tmp_path) is None


def test_check_writable_names_the_folder(tmp_path):
    (tmp_path / "publish").write_text("a file where a folder should be")
    with pytest.raises(StorageError, match=r"publish: cannot be written"):
        check_writable(tmp_path)
