"""Operations: liveness and readiness, each naming the dependency that fails."""

import sqlalchemy as sa
from flask import Blueprint

from . import scoring
from .db import db
from .metrics import exposition

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    """Answer while the process can serve requests at all."""
    return {"status": "ok"}


@blp.get("/readyz")
def readyz():
    """Check the database and the model; a missing model degrades, a dead database fails."""
    checks = {"database": "ok", "model": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    classifier = scoring.classifier()
    checks["model"] = classifier.version if classifier else "unavailable: comments stored unscored"
    if checks["database"] != "ok":
        return {"status": "unavailable", "checks": checks}, 503
    return {"status": "ready" if classifier else "degraded", "checks": checks}


@blp.get("/metrics")
def metrics():
    """Expose Prometheus metrics: requests, latency, comments by outcome, scoring, model."""
    return exposition()
