"""The dbt project, defined once and parsed when its manifest is missing."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from orchestration import machine
from orchestration.paths import REPO_ROOT

# No anonymous usage stats from dbt (the flag in dbt_project.yml covers dbt itself; this covers subprocesses).
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# DuckDB's memory and threads in dbt's profile, from this machine.
machine.export_to_dbt()

dbt_project = DbtProject(project_dir=REPO_ROOT / "dbt_project", profiles_dir=REPO_ROOT / "dbt_project")


def _manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any model, seed, macro or project file."""
    if not dbt_project.manifest_path.exists():
        return True
    built = dbt_project.manifest_path.stat().st_mtime
    sources = [dbt_project.project_dir / "dbt_project.yml"]
    for folder in ("models", "seeds", "macros", "tests"):
        sources += (dbt_project.project_dir / folder).rglob("*")
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


# Not prepare_if_dev(): under `dagster dev` it would parse again at every reload, and the check below covers it.
if _manifest_is_stale():
    # A fresh clone, or a changed model: `dbt parse` writes the manifest (about 8 s).
    dbt_project.preparer.prepare(dbt_project)
