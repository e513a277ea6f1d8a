"""Save and load versioned model artifacts, refusing any whose signature, digest or libraries
mismatch: nothing is unpickled before its HMAC under the deployment's secret verifies."""

import hashlib
import hmac
import io
import json
import os
import platform
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import version as installed_version
from pathlib import Path

import joblib
from sklearn.pipeline import Pipeline

from model.fastpath import FastScorer

ARTIFACT = "model.joblib"
MANIFEST = "manifest.json"
REPORT = "report.png"
SIGNATURE = "signature"
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


def version_name(trained_at: datetime, digest: str) -> str:
    """Name a version for when it was trained and its bytes' digest: sortable and unique."""
    return f"{trained_at:%Y-%m-%dT%H%M%SZ}-{digest[:8]}"


def new_manifest(data: bytes, facts: Mapping) -> dict:
    """Return the manifest of freshly dumped bytes: the facts given, their digest and size.

    A version, training time and library versions are added unless the facts carry them (a
    re-dumped model keeps its own); the digest and size are always those of these bytes.
    """
    digest = sha256(data)
    trained_at = datetime.now(UTC)
    return {
        "version": version_name(trained_at, digest),
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "libraries": library_versions(),
        **facts,
        "artifact": ARTIFACT,
        "sha256": digest,
        "size_bytes": len(data),
    }


def signature(data: bytes, manifest: Mapping, secret: str) -> str:
    """Return the hex HMAC-SHA256 of an artifact and its canonical manifest under a secret."""
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    # Length-prefix the artifact so no byte can move between artifact and manifest.
    mac.update(len(data).to_bytes(8, "big"))
    mac.update(data)
    mac.update(canonical)
    return mac.hexdigest()


def check_signature(data: bytes, manifest: Mapping, secret: str, signed: str, source: str) -> None:
    """Raise ArtifactError unless `signed` is the artifact's and manifest's HMAC under secret."""
    if not hmac.compare_digest(signature(data, manifest, secret), signed):
        raise ArtifactError(
            f"{source}: HMAC does not verify under this deployment's SECRET_KEY "
            "(tampered with, unsigned, or signed by another deployment); refusing to unpickle"
        )


def key_from_file(path: Path) -> str:
    """Return the secret kept in a file, creating it once, readable by its owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
            handle.write(secrets.token_urlsafe(48))
        # link() is atomic and refuses to overwrite: concurrent processes agree.
        try:
            os.link(handle.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(handle.name)
    return path.read_text().strip()


def signing_key(key_file: str | Path) -> str:
    """Return SECRET_KEY from the environment, else the secret kept in key_file."""
    return os.environ.get("SECRET_KEY") or key_from_file(Path(key_file))


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
    """Verify an artifact's bytes against its manifest, then unpickle it into a Classifier.

    The caller has verified who signed the bytes (see load_artifact, service.registry).
    """
    _check(data, manifest, source)
    return _unpickle(data, manifest, source)


def _unpickle(data: bytes, manifest: Mapping, source: str) -> Classifier:
    pipeline = _pipeline(data)
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(f"{source}: holds a {type(pipeline).__name__}, not a Pipeline")
    return Classifier(pipeline, manifest)


@lru_cache(maxsize=2)
def _pipeline(data: bytes) -> object:
    """Unpickle verified artifact bytes, keeping the last two versions' pipelines.

    A process meets the same bytes again and again: each app it builds loads MODEL_DIR's
    version, and the registry's serving version is often those same bytes. Unpickling them
    (joblib's Python unpickler, after zlib) is most of the cost of building an app; a fitted
    pipeline is only read once loaded, so one copy serves every Classifier made from it.
    """
    return joblib.load(io.BytesIO(data))


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


def load_artifact(folder: str | Path, secret: str) -> Classifier:
    """Load the model in a version folder, verifying its signature before it is unpickled."""
    manifest = read_manifest(folder)
    path = Path(folder) / ARTIFACT
    try:
        data = path.read_bytes()
        signed = (Path(folder) / SIGNATURE).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ArtifactError(f"{error.filename}: cannot read it ({error.strerror})") from None
    _check(data, manifest, str(path))
    check_signature(data, manifest, secret, signed, str(path))
    return _unpickle(data, manifest, str(path))


def latest_version_dir(models_dir: str | Path) -> Path | None:
    """Return the version folder named in models_dir/LATEST, or None when there is no model."""
    try:
        name = (Path(models_dir) / LATEST).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = Path(models_dir) / name
    return folder if name and folder.is_dir() else None


def save(folder: Path, data: bytes, manifest: Mapping, secret: str) -> None:
    """Write an artifact, its manifest and their signature under secret into a new folder."""
    folder.mkdir(parents=True, exist_ok=False)
    (folder / ARTIFACT).write_bytes(data)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (folder / SIGNATURE).write_text(signature(data, manifest, secret) + "\n", encoding="utf-8")


def promote(models_dir: Path, folder: Path) -> None:
    """Point models_dir/LATEST at a version folder, atomically."""
    pending = models_dir / f".{LATEST}.tmp"
    pending.write_text(folder.name + "\n", encoding="utf-8")
    pending.replace(models_dir / LATEST)
