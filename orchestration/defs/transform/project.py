"""The dbt project, defined once and parsed when its manifest is missing."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from orchestration.paths import REPO_ROOT

# No anonymous usage stats from dbt (the flag in dbt_project.yml covers dbt itself; this covers subprocesses).
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

dbt_project = DbtProject(project_dir=REPO_ROOT / "dbt_project", profiles_dir=REPO_ROOT / "dbt_project")
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    # A fresh clone has no manifest yet: `dbt parse` writes it once (about 8 s).
    dbt_project.preparer.prepare(dbt_project)
