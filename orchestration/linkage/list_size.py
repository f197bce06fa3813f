"""The model's weights for a quarter with more rows than the quarter it was trained on.

Two random rows of a list are one person with a chance of about (rows per person) / (rows), so the prior falls as
the list grows, and so does the chance that two strangers share a group of fixed size: a NIK, a household's KK or
address line (settings.GROUP_LEVELS). Those agreements therefore weigh more by as much as the prior falls, and a
pair that shares such a group weighs the same at any size. The chance that two strangers share a kelurahan, a birth
date, a sex or a similar name does not change with the list; with nothing else in common, such a pair weighs less
in a larger list, as it should: Jakarta has 267 kelurahan whatever the size of the list, so each holds more
strangers born on any given day. Unscaled, the model trained at 143,271 rows put 229 pairs of two people into one
person_id at 10M rows, most of them birthday-mates of one kelurahan with similar names and no NIK on one side.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from orchestration.linkage.model import LinkageModel
from orchestration.linkage.settings import GROUP_LEVELS


@dataclass(frozen=True)
class SizedWeights:
    """Splink settings for a quarter's size and how far its prior was moved (log2, 0 when not at all)."""

    settings: dict[str, Any]
    prior_shift_bits: float


def weights_for_rows(model: LinkageModel, rows: int) -> SizedWeights:
    """The model's settings for a quarter of `rows` list rows (unchanged at or below its training size).

    A smaller list is not scaled up: that would link on less evidence than the reviewed model ever did, and the
    test quarters are small.
    """
    trained = int(model.meta.get("trained_on", {}).get("rows") or 0)
    if trained < 2 or rows <= trained:
        return SizedWeights(model.settings, 0.0)
    factor = (trained - 1) / (rows - 1)
    settings = copy.deepcopy(model.settings)
    settings["probability_two_random_records_match"] *= factor
    found = set()
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if level.get("label_for_charts") in GROUP_LEVELS.get(name, ()):
                level["u_probability"] *= factor
                found.add((name, level["label_for_charts"]))
    missing = {(name, label) for name, labels in GROUP_LEVELS.items() for label in labels} - found
    if missing:
        raise ValueError(f"model {model.version} has no level {sorted(missing)[0]} of settings.GROUP_LEVELS: "
                         "its comparisons are not the reviewed ones")
    return SizedWeights(settings, math.log2(factor))
