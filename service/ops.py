"""Operations: liveness and readiness, each naming the dependency that fails."""

import logging
import os

import sqlalchemy as sa
from flask import Blueprint

from . import scoring
from .db import db, sqlite_file
from .metrics import exposition
from .tables import Site

blp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)

# Below this, the filesystem under an SQLite database is full for our purposes: a comment
# of MAX_CONTENT_LENGTH (64 KiB) takes about 20 pages of WAL, so 1 MiB is a few of them.
MIN_FREE_BYTES = 1 << 20


@blp.get("/healthz")
def healthz():
    """Answer while the process can serve requests at all."""
    return {"status": "ok"}


@blp.get("/readyz")
def readyz():
    """Check that the database can store a comment and the model scores; no model degrades."""
    checks = {"database": database_state(), "model": "ok"}
    classifier = scoring.classifier()
    checks["model"] = classifier.version if classifier else "unavailable: comments stored unscored"
    if checks["database"] != "ok":
        return {"status": "unavailable", "checks": checks}, 503
    return {"status": "ready" if classifier else "degraded", "checks": checks}


def database_state() -> str:
    """Say "ok" if the database answers and accepts a write, else what is wrong with it."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return f"unavailable: {type(error).__name__}"
    try:
        # A write that matches no row, rolled back: a read-only file, filesystem or
        # session refuses it all the same, and it leaves nothing behind.
        db.session.execute(sa.update(Site).where(sa.false()).values(name=Site.name))
    except sa.exc.DBAPIError as error:
        log.warning("readiness: the database refuses writes: %s", error.orig)
        return f"refuses writes: {type(error.orig).__name__}"
    finally:
        db.session.rollback()
    free = free_bytes()
    return "ok" if free is None or free >= MIN_FREE_BYTES else f"full: {free} bytes free"


def free_bytes() -> int | None:
    """The bytes an unprivileged writer may still use beside an SQLite database, else None."""
    path = sqlite_file(db.engine.url)
    if path is None:
        return None  # PostgreSQL's disk is the server's; its writes answer 503 when full
    stats = os.statvfs(path.parent)
    return stats.f_bavail * stats.f_frsize


@blp.get("/metrics")
def metrics():
    """Expose Prometheus metrics: requests, latency, comments by outcome, scoring, model."""
    return exposition()
