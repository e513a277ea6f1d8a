"""Moderato's spam classifier: load a verified artifact and score plain comment records."""

from model.artifact import (
    ArtifactError,
    Classifier,
    latest_version_dir,
    load_artifact,
    load_artifact_bytes,
)

__all__ = [
    "ArtifactError",
    "Classifier",
    "latest_version_dir",
    "load_artifact",
    "load_artifact_bytes",
]
