"""Everything a run writes is owner-only, and the manifest's sha256 is the submission's."""

from __future__ import annotations

import hashlib
import json
import stat

from tests.trust.conftest import QUARTERS


def test_every_file_and_folder_of_the_data_dir_is_owner_only(operated):
    """0600 files in 0700 folders, from Dagster's storage to the submission: nothing readable by group or others."""
    opened = [str(p.relative_to(operated.data_dir)) for p in [operated.data_dir, *operated.data_dir.rglob("*")]
              if stat.S_IMODE(p.lstat().st_mode) & 0o077]
    assert opened == []
    for quarter in QUARTERS:
        for name in ("publish", "reports"):
            assert stat.S_IMODE((operated.data_dir / name / quarter).stat().st_mode) == 0o700
        for path in [*(operated.data_dir / "publish" / quarter).iterdir(),
                     operated.data_dir / "reports" / quarter / "record_ledger.csv"]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_manifest_sha256_verifies(operated):
    for quarter in QUARTERS:
        folder = operated.data_dir / "publish" / quarter
        manifest = json.loads((folder / "manifest.json").read_text())
        data = (folder / manifest["file"]).read_bytes()
        assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["row_count"] == data.count(b"\n") - 1
        assert manifest["quarter"] == quarter and manifest["gate"]["verdict"] == "PASSED"
