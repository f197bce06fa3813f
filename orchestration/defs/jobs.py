"""The quarterly job: every asset of one quarter, in one run."""

import dagster as dg

from orchestration.defs.partitions import quarter_partitions

quarterly_job = dg.define_asset_job(
    name="quarterly_job",
    selection=dg.AssetSelection.all(),
    partitions_def=quarter_partitions,
    description="Ingests, conforms, links, gates and publishes one quarter.",
)
