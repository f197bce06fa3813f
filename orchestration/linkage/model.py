"""The committed, versioned person-linkage model: Splink's JSON plus a sidecar with what it was trained on."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent / "model"
# Another model folder (a candidate under review, a test's copy) can be pointed to without editing the repository.
MODEL_DIR_ENV = "SATUDATA_LINKAGE_MODEL_DIR"
MODEL_FILE = "person_linkage.json"
META_FILE = "person_linkage.meta.json"


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink settings with parameters, its version, threshold and over-linking bound."""

    settings: dict[str, Any]
    meta: dict[str, Any]
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


def load_model(model_dir: Path | None = None) -> LinkageModel:
    """The model in `model_dir` (default $SATUDATA_LINKAGE_MODEL_DIR, else the committed one), sha256-checked."""
    model_dir = Path(model_dir or os.environ.get(MODEL_DIR_ENV) or MODEL_DIR)
    raw = (model_dir / MODEL_FILE).read_bytes()
    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    sha = hashlib.sha256(raw).hexdigest()
    if meta.get("model_sha256") != sha:
        raise ValueError(
            f"{model_dir / MODEL_FILE} does not match the sha256 recorded in {META_FILE}: "
            "retrain with `satudata train-linkage` instead of editing the model by hand")
    return LinkageModel(settings=json.loads(raw), meta=meta, sha256=sha)


def write_model(model_dir: Path, settings: dict[str, Any], meta: dict[str, Any]) -> LinkageModel:
    """Write the model JSON and its sidecar (with the JSON's sha256) into `model_dir`."""
    model_dir.mkdir(parents=True, exist_ok=True)
    raw = (json.dumps(settings, indent=2, sort_keys=True) + "\n").encode("utf-8")
    sha = hashlib.sha256(raw).hexdigest()
    meta = {**meta, "model_file": MODEL_FILE, "model_sha256": sha}
    (model_dir / MODEL_FILE).write_bytes(raw)
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return LinkageModel(settings=settings, meta=meta, sha256=sha)
