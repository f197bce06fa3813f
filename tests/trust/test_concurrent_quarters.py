"""Two quarters run at the same time on one data dir and one Dagster instance: no lock failure, no corruption.

Both quarters were published before, so 2025Q2 carries its person ids from 2025Q1's export whichever run gets there
first (2025Q1's re-run rewrites that export atomically with the same content): each result must equal the reference.
"""

from __future__ import annotations

import time

import dagster as dg

from tests.trust import runs
from tests.trust.conftest import QUARTERS


def test_two_quarters_at_once_publish_what_they_publish_alone(operated, tmp_path):
    outputs = {q: tmp_path / f"{q}.txt" for q in QUARTERS}
    started = time.monotonic()
    processes = {q: runs.start(operated.data_dir, q, outputs[q]) for q in QUARTERS}
    codes = {q: p.wait(timeout=1200) for q, p in processes.items()}
    elapsed = time.monotonic() - started
    printed = {q: outputs[q].read_text() for q in QUARTERS}
    operated.console.extend(printed.values())
    assert codes == {q: 0 for q in QUARTERS}, {q: printed[q][-2000:] for q in QUARTERS}
    for quarter in QUARTERS:
        assert f"satudata run {quarter}: SUCCEEDED" in printed[quarter]
        assert runs.results(operated.data_dir, quarter) == operated.reference[quarter]
    # They did run at the same time: each run started before the other ended (Dagster's own record of them).
    with dg.DagsterInstance.from_config(str(operated.data_dir / "dagster_home")) as instance:
        latest = {q: instance.get_runs(dg.RunsFilter(tags={"dagster/partition": q}), limit=1)[0] for q in QUARTERS}
        stats = {q: instance.get_run_stats(run.run_id) for q, run in latest.items()}
    first, second = (stats[q] for q in QUARTERS)
    assert first.start_time < second.end_time and second.start_time < first.end_time
    print(f"two quarters at once: {elapsed:.0f} s")
