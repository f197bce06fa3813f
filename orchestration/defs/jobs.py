"""Jobs: the quarterly run of every asset, and the run that prepares Splink's training input."""

import dagster as dg

from orchestration.defs.linkage.assets import LINKAGE_INPUT_KEY
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.publish.assets import PUBLISH_KEY
from orchestration.defs.quality.checks import SUBMISSION_KEY

quarterly_job = dg.define_asset_job(
    name="quarterly_job",
    selection=dg.AssetSelection.all(),
    partitions_def=quarter_partitions,
    description="Ingests, conforms, links, gates and publishes one quarter.",
)

linkage_input_job = dg.define_asset_job(
    name="linkage_input_job",
    selection=dg.AssetSelection.assets(LINKAGE_INPUT_KEY).upstream(),
    partitions_def=quarter_partitions,
    description="Ingests and conforms one quarter up to Splink's input, for training the model by hand "
                "(`satudata train-linkage`).",
)

gate_and_publish_job = dg.define_asset_job(
    name="gate_and_publish_job",
    selection=dg.AssetSelection.checks(
        dg.AssetCheckKey(SUBMISSION_KEY, "gx_submission_suite"), dg.AssetCheckKey(SUBMISSION_KEY, "gx_quarter_suite"),
    ) | dg.AssetSelection.assets(PUBLISH_KEY),
    partitions_def=quarter_partitions,
    description="Runs the quality gate again on a quarter's tables as they are, and publishes only if it passes.",
)
