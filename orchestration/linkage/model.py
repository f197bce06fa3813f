"""The versioned person-linkage models: one JSON per model, named by date and tag, never overwritten.

Each file `model/<YYYY-MM-DD>_<tag>.json` holds everything that decides a linkage result: Splink's settings with
the trained m and u (`"splink"`), and the threshold, the over-linking bound and what the model was trained on
(`"satudata"`). One sha256 covers the whole file. `MODEL_VERSION` below selects the model in use and
`MODEL_SHA256` is that file's sha256: changing the model is a reviewed edit of these two lines (docs/linkage.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent / "model"
# The model in use, and the sha256 of its file.
MODEL_VERSION = "2026-12-05_generated-100k-nearkk"
MODEL_SHA256 = "a44888f08c301c3a0161bc443c0e83402c93d5bea26363986414ec36cdd8c212"
# Another model folder (a candidate under review, a test's copy) can be pointed to without editing the repository;
# a version other than MODEL_VERSION also needs its sha256 in the environment, as it would later need it in code.
MODEL_DIR_ENV = "SATUDATA_LINKAGE_MODEL_DIR"
MODEL_VERSION_ENV = "SATUDATA_LINKAGE_MODEL_VERSION"
MODEL_SHA256_ENV = "SATUDATA_LINKAGE_MODEL_SHA256"
VERSION_PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2})_([a-z0-9][a-z0-9.-]*)")
TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]*")


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink settings with parameters, its version, threshold and over-linking bound."""

    settings: dict[str, Any]
    meta: dict[str, Any]  # the file's "satudata" block
    sha256: str

    @property
    def version(self) -> str:
        return self.meta["version"]

    @property
    def threshold(self) -> float:
        """Pairs at or above this match probability are the same person."""
        return float(self.meta["threshold_match_probability"])

    @property
    def max_cluster_size(self) -> int:
        """More rows than this in one person means chained false links (see the over-linking check)."""
        return int(self.meta["max_cluster_size"])

    @property
    def trained_on_generated_data(self) -> bool:
        return bool(self.meta.get("trained_on", {}).get("generated"))

    @property
    def provenance(self) -> str:
        """One plain sentence on what the model was trained on, for the run summary, the manifest and the UI."""
        on = self.meta.get("trained_on", {})
        quarter = on.get("quarter", "an unrecorded quarter")
        if self.trained_on_generated_data:
            people = f", {on['people']:,} people" if on.get("people") else ""
            return (f"model {self.version}, trained on GENERATED data (satudata synth, {quarter}{people}), "
                    "not on a real quarter")
        return f"model {self.version}, trained on {quarter}"

    def manifest_entry(self) -> dict[str, Any]:
        """What the manifest records of the model."""
        return {"version": self.version, "sha256": self.sha256, "trained_on_generated_data":
                self.trained_on_generated_data, "trained_on": self.meta.get("trained_on", {}),
                "provenance": self.provenance}


def model_path(model_dir: Path, version: str) -> Path:
    return model_dir / f"{version}.json"


def version_name(tag_or_version: str, day: dt.date) -> str:
    """`2026-12-01_generated-100k` from the tag `generated-100k` trained on `day`; a full version is kept as is."""
    if VERSION_PATTERN.fullmatch(tag_or_version):
        return tag_or_version
    if not TAG_PATTERN.fullmatch(tag_or_version):
        raise ValueError(f"model tag {tag_or_version!r}: use lower-case letters, digits, dots and dashes "
                         "(e.g. generated-100k, dtks-2026q3)")
    return f"{day:%Y-%m-%d}_{tag_or_version}"


def _encode(settings: dict[str, Any], meta: dict[str, Any]) -> bytes:
    return (json.dumps({"satudata": meta, "splink": settings}, indent=2, sort_keys=True) + "\n").encode("utf-8")


def load_model(model_dir: Path | None = None, version: str | None = None) -> LinkageModel:
    """The model `version` (default $SATUDATA_LINKAGE_MODEL_VERSION, else MODEL_VERSION), sha256-checked.

    From `model_dir`, else $SATUDATA_LINKAGE_MODEL_DIR, else the committed folder.
    """
    model_dir = Path(model_dir or os.environ.get(MODEL_DIR_ENV) or MODEL_DIR)
    version = version or os.environ.get(MODEL_VERSION_ENV) or MODEL_VERSION
    if version == MODEL_VERSION:
        expected = MODEL_SHA256
    else:
        expected = os.environ.get(MODEL_SHA256_ENV)
        if not expected:
            raise ValueError(f"model {version} is not MODEL_VERSION ({MODEL_VERSION}): set ${MODEL_SHA256_ENV} to "
                             "the sha256 that `satudata train-linkage` printed for it")
    path = model_path(model_dir, version)
    if not path.is_file():
        raise FileNotFoundError(f"no linkage model {version} in {model_dir} (looked for {path.name})")
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    if sha != expected:
        raise ValueError(f"{path} does not have the sha256 recorded for {version}: retrain with "
                         "`satudata train-linkage` (a new version) instead of editing a model by hand")
    document = json.loads(raw)
    if document["satudata"].get("version") != version:
        raise ValueError(f"{path} says it is version {document['satudata'].get('version')!r}")
    return LinkageModel(settings=document["splink"], meta=document["satudata"], sha256=sha)


def write_model(model_dir: Path, settings: dict[str, Any], meta: dict[str, Any]) -> LinkageModel:
    """Write `<meta["version"]>.json` into `model_dir`; an existing version is never overwritten."""
    version = meta["version"]
    if not VERSION_PATTERN.fullmatch(version):
        raise ValueError(f"model version {version!r} is not <YYYY-MM-DD>_<tag>")
    for key in ("threshold_match_probability", "max_cluster_size"):
        if key not in meta:
            raise ValueError(f"model {version}: {key} missing, it must be inside the hashed file")
    model_dir.mkdir(parents=True, exist_ok=True)
    raw = _encode(settings, meta)
    target = model_path(model_dir, version)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_bytes(raw)
    try:
        # link(2) fails when the name exists, so two trainings cannot both write one version, and a reader never
        # sees a half-written file.
        os.link(temp, target)
    except FileExistsError:
        raise FileExistsError(f"linkage model {version} already exists in {model_dir}: models are never "
                              "overwritten, train under a new tag or date") from None
    finally:
        temp.unlink()
    return LinkageModel(settings=settings, meta=meta, sha256=hashlib.sha256(raw).hexdigest())
