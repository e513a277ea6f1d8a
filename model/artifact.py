"""Save and load versioned model artifacts, refusing any whose digest or libraries mismatch."""

import hashlib
import io
import json
import platform
from collections.abc import Iterable, Mapping
from importlib.metadata import version as installed_version
from pathlib import Path

import joblib
from sklearn.pipeline import Pipeline

from model.fastpath import FastScorer

ARTIFACT = "model.joblib"
MANIFEST = "manifest.json"
REPORT = "report.png"
LATEST = "LATEST"
LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib")


class ArtifactError(Exception):
    """A model artifact is missing, tampered with, or built with other library versions."""


def library_versions() -> dict[str, str]:
    """Return the versions that must match between training and serving."""
    versions = {name: installed_version(name) for name in LIBRARIES}
    versions["python"] = ".".join(platform.python_version_tuple()[:2])
    return versions


class Classifier:
    """A loaded model: its calibrated pipeline, manifest, threshold and fast single-record path."""

    def __init__(self, pipeline: Pipeline, manifest: Mapping):
        self.pipeline = pipeline
        self.manifest = dict(manifest)
        self.version: str = self.manifest["version"]
        self.threshold: float = float(self.manifest["threshold"])
        self._fast = FastScorer(pipeline)

    def score(self, record: Mapping) -> float:
        """Return the calibrated spam probability of one record."""
        return self._fast(record)

    def score_many(self, records: Iterable[Mapping]) -> list[float]:
        """Return the calibrated spam probability of each record."""
        records = list(records)
        if not records:
            return []
        return self.pipeline.predict_proba(records)[:, 1].tolist()

    def is_spam(self, record: Mapping) -> bool:
        """Tell whether a record's score reaches the spam threshold."""
        return self.score(record) >= self.threshold


def dump(pipeline: Pipeline) -> bytes:
    """Serialise a fitted pipeline to joblib bytes."""
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    """Return the hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def _check(data: bytes, manifest: Mapping, source: str) -> None:
    """Raise ArtifactError unless the bytes match the manifest's digest and libraries."""
    expected = manifest.get("sha256")
    if not expected:
        raise ArtifactError(f"{source}: the manifest records no sha256; refusing to unpickle")
    if sha256(data) != expected:
        raise ArtifactError(
            f"{source}: sha256 {sha256(data)} does not match the manifest's {expected}; "
            "the file was altered or belongs to another model, refusing to unpickle"
        )
    recorded = manifest.get("libraries") or {}
    installed = library_versions()
    mismatched = [
        f"{name} {recorded.get(name)} (installed {installed[name]})"
        for name in installed
        if recorded.get(name) != installed[name]
    ]
    if mismatched:
        raise ArtifactError(
            f"{source}: trained with other library versions: {', '.join(mismatched)}"
        )


def load_artifact_bytes(
    data: bytes, manifest: Mapping, source: str = "artifact bytes"
) -> Classifier:
    """Verify an artifact's bytes against its manifest, then unpickle it into a Classifier."""
    _check(data, manifest, source)
    pipeline = joblib.load(io.BytesIO(data))
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(f"{source}: holds a {type(pipeline).__name__}, not a Pipeline")
    return Classifier(pipeline, manifest)


def read_manifest(folder: str | Path) -> dict:
    """Read a version folder's manifest, raising ArtifactError naming the file on failure."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ArtifactError(f"{path}: cannot read the manifest ({error})") from None
    if not isinstance(manifest, dict) or "version" not in manifest or "threshold" not in manifest:
        raise ArtifactError(f"{path}: not a model manifest (no version or threshold)")
    return manifest


def load_artifact(folder: str | Path) -> Classifier:
    """Load the model in a version folder, verifying it before it is unpickled."""
    manifest = read_manifest(folder)
    path = Path(folder) / ARTIFACT
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ArtifactError(f"{path}: cannot read the artifact ({error.strerror})") from None
    return load_artifact_bytes(data, manifest, source=str(path))


def latest_version_dir(models_dir: str | Path) -> Path | None:
    """Return the version folder named in models_dir/LATEST, or None when there is no model."""
    try:
        name = (Path(models_dir) / LATEST).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = Path(models_dir) / name
    return folder if name and folder.is_dir() else None


def save(folder: Path, data: bytes, manifest: Mapping) -> None:
    """Write an artifact and its manifest into a new version folder."""
    folder.mkdir(parents=True, exist_ok=False)
    (folder / ARTIFACT).write_bytes(data)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def promote(models_dir: Path, folder: Path) -> None:
    """Point models_dir/LATEST at a version folder, atomically."""
    pending = models_dir / f".{LATEST}.tmp"
    pending.write_text(folder.name + "\n", encoding="utf-8")
    pending.replace(models_dir / LATEST)
