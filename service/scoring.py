"""The classifier as the service sees it: hot-reloaded from the registry, never losing a comment.

Each worker serves the registry's newest promotion, checking for a new one at most every
MODEL_POLL_SECONDS on the request path (one indexed query of an id). Until the registry has
a promoted version, the worker serves MODEL_DIR/LATEST, as written by `make train`.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

import model

from . import metrics, registry
from .db import db

log = logging.getLogger(__name__)
CLASSIFIER = "moderato.classifier"
POLL = "moderato.model_poll"


@dataclass(frozen=True)
class Score:
    """A spam probability and the model version that gave it; both None when unscored."""

    value: float | None
    model_version: str | None


@dataclass
class Poll:
    """One worker's view of the registry: what it loaded, what it refused, when it looked."""

    every: float
    clock: Callable[[], float] = time.monotonic
    checked_at: float = float("-inf")
    loaded_id: int | None = None
    refused_id: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self) -> bool:
        """Tell whether the poll interval has passed since the last look."""
        return self.clock() - self.checked_at >= self.every


def init_app(app: Flask) -> None:
    """Serve MODEL_DIR's model until the first request looks in the registry.

    The registry is not read here: `flask db upgrade` builds the app before the table exists.
    """
    app.extensions[CLASSIFIER] = None
    app.extensions[POLL] = Poll(
        every=float(app.config["MODEL_POLL_SECONDS"]), clock=app.config["MONOTONIC"]
    )
    _swap(app, load(Path(app.config["MODEL_DIR"]), app.config["SECRET_KEY"]))


def load(models_dir: Path, secret: str) -> "model.Classifier | None":
    """Load and verify the version in models_dir/LATEST; log why when nothing can be served."""
    folder = model.latest_version_dir(models_dir)
    if folder is None:
        log.warning("no model in %s: comments will be stored unscored (run make train)", models_dir)
        return None
    try:
        classifier = model.load_artifact(folder, secret)
    except model.ArtifactError as error:
        log.error("model refused, comments will be stored unscored: %s", error)
        return None
    log.info("serving model %s", classifier.version)
    return classifier


def _swap(app: Flask, new: "model.Classifier | None") -> None:
    """Serve a new classifier from the next score on, and say so in the metrics."""
    old = app.extensions[CLASSIFIER]
    if old is not None:
        metrics.MODEL.labels(old.version).set(0)
    app.extensions[CLASSIFIER] = new
    if new is not None:
        metrics.MODEL.labels(new.version).set(1)


def refresh(app: Flask) -> None:
    """Load the registry's serving version if it changed; keep the old one on any failure."""
    poll: Poll = app.extensions[POLL]
    # One thread looks at a time; the others keep serving what is loaded.
    if not poll.lock.acquire(blocking=False):
        return
    try:
        poll.checked_at = poll.clock()
        with db.engine.connect() as connection:
            serving_id = registry.serving_id(connection)
            if serving_id in (None, poll.loaded_id, poll.refused_id):
                return
            row = registry.fetch(connection, serving_id)
        classifier = registry.verify(row, app.config["SECRET_KEY"])
    except model.ArtifactError as error:
        poll.refused_id = serving_id  # refuse once, loudly; not on every poll
        log.error("model refused, keeping the current model: %s", error)
    except Exception as error:  # a registry that cannot be read must never cost a comment
        log.warning("cannot read the model registry, keeping the current model: %s", error)
    else:
        poll.loaded_id = serving_id
        _swap(app, classifier)
        log.info("serving model %s from the registry", classifier.version)
    finally:
        poll.lock.release()


def classifier() -> "model.Classifier | None":
    """The classifier serving the current app, if any, after a registry poll when one is due."""
    app = current_app._get_current_object()
    if app.extensions[POLL].due():
        refresh(app)
    return app.extensions[CLASSIFIER]


def threshold() -> float | None:
    """Return the service's spam threshold: SPAM_THRESHOLD, else the serving model's own.

    A site's own threshold overrides it: ask sites.thresholds, not this, about a site.
    """
    configured = current_app.config["SPAM_THRESHOLD"]
    serving = classifier()
    if configured is not None or serving is None:
        return configured
    return serving.threshold


def score(record: dict) -> Score:
    """Score a comment record; any failure of the model leaves it unscored."""
    serving = classifier()
    if serving is None:
        return Score(None, None)
    started = time.perf_counter()
    try:
        value = serving.score(record)
    except Exception:  # a broken model must never cost a comment
        log.exception("scoring failed with model %s; storing unscored", serving.version)
        return Score(None, None)
    metrics.SCORING.observe(time.perf_counter() - started)
    return Score(value, serving.version)
