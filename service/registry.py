"""Model versions kept in the database: signed on the way in, verified before unpickling."""

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

import model

from .tables import ModelVersion, VersionStatus

SERVING = sa.select(ModelVersion.id).where(ModelVersion.status == VersionStatus.PROMOTED)


class RegistryError(Exception):
    """A registry operation cannot be done (say, nothing to roll back to)."""


def verify(row: ModelVersion | sa.Row, secret: str) -> model.Classifier:
    """Check a stored version's digest and HMAC, and only then unpickle it.

    Raises model.ArtifactError naming the version when either check fails.
    """
    source = f"model version {row.version} (registry)"
    if model.artifact.sha256(row.artifact) != row.sha256:
        raise model.ArtifactError(f"{source}: the artifact's sha256 does not match; refusing")
    model.artifact.check_signature(row.artifact, row.manifest, secret, row.hmac, source)
    return model.load_artifact_bytes(row.artifact, row.manifest, source=source)


def serving_id(connection: sa.Connection) -> int | None:
    """Return the id of the serving version (the newest promotion), or None: a cheap poll."""
    query = SERVING.order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc()).limit(1)
    return connection.scalar(query)


def fetch(connection: sa.Connection, version_id: int) -> sa.Row:
    """Return one stored version's row, artifact included."""
    return connection.execute(
        sa.select(ModelVersion.__table__).where(ModelVersion.id == version_id)
    ).one()


def add(
    session,
    data: bytes,
    manifest: Mapping,
    secret: str,
    status: VersionStatus,
    now: datetime,
) -> ModelVersion:
    """Store a signed version; promoted_at is now when it is stored as promoted."""
    row = ModelVersion(
        version=manifest["version"],
        status=status,
        created_at=now,
        promoted_at=now if status == VersionStatus.PROMOTED else None,
        manifest=dict(manifest),
        artifact=data,
        sha256=model.artifact.sha256(data),
        hmac=model.artifact.signature(data, manifest, secret),
    )
    session.add(row)
    session.flush()
    return row


def import_classifier(session, classifier: model.Classifier, secret: str, now: datetime):
    """Store the file-served champion as the first promoted version, unless already stored."""
    existing = session.scalar(
        sa.select(ModelVersion).where(ModelVersion.version == classifier.version)
    )
    if existing is not None:
        return existing
    data = model.artifact.dump(classifier.pipeline)
    # Re-dumping changes the bytes, so the stored manifest names the stored bytes' digest.
    manifest = model.artifact.new_manifest(data, classifier.manifest)
    return add(session, data, manifest, secret, VersionStatus.PROMOTED, now)


def serving(session) -> ModelVersion | None:
    """Return the serving version's row, or None when the registry has none."""
    version_id = serving_id(session.connection())
    return session.get(ModelVersion, version_id) if version_id is not None else None


def promote(session, row: ModelVersion, now: datetime) -> None:
    """Make a stored version the serving one, from now on."""
    row.status = VersionStatus.PROMOTED
    row.promoted_at = now


def rollback(session, now: datetime) -> tuple[ModelVersion, ModelVersion]:
    """Retire the serving version and re-promote the one promoted before it; return both."""
    current = serving(session)
    if current is None:
        raise RegistryError("the registry has no serving version to roll back")
    previous = session.scalar(
        sa.select(ModelVersion)
        .where(ModelVersion.status == VersionStatus.PROMOTED, ModelVersion.id != current.id)
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )
    if previous is None:
        raise RegistryError(f"{current.version} is the only promoted version: no previous one")
    current.status = VersionStatus.ROLLED_BACK
    promote(session, previous, now)
    return current, previous


def listing(session) -> list[sa.Row]:
    """Return every version's summary (no artifact), newest first."""
    return session.execute(
        sa.select(
            ModelVersion.id,
            ModelVersion.version,
            ModelVersion.status,
            ModelVersion.created_at,
            ModelVersion.promoted_at,
            ModelVersion.manifest,
        ).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
    ).all()


def promoted_at(session, version: str) -> datetime | None:
    """Return when a version was (last) promoted, or None when it is not in the registry."""
    return session.scalar(
        sa.select(ModelVersion.promoted_at).where(ModelVersion.version == version)
    )
