"""The classifier as the service sees it: loaded once, never allowed to lose a comment."""

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

import model

from . import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Score:
    """A spam probability and the model version that gave it; both None when unscored."""

    value: float | None
    model_version: str | None


def init_app(app: Flask) -> None:
    """Load the newest trained model, or run unscored if there is none or it is refused."""
    classifier = load(Path(app.config["MODEL_DIR"]))
    app.extensions["moderato.classifier"] = classifier
    if classifier is not None:
        metrics.MODEL.labels(classifier.version).set(1)


def load(models_dir: Path) -> "model.Classifier | None":
    """Load the version named in models_dir/LATEST; log why when nothing can be served."""
    folder = model.latest_version_dir(models_dir)
    if folder is None:
        log.warning("no model in %s: comments will be stored unscored (run make train)", models_dir)
        return None
    try:
        classifier = model.load_artifact(folder)
    except model.ArtifactError as error:
        log.error("model refused, comments will be stored unscored: %s", error)
        return None
    log.info("serving model %s", classifier.version)
    return classifier


def classifier() -> "model.Classifier | None":
    """The classifier serving the current app, if any."""
    return current_app.extensions["moderato.classifier"]


def threshold() -> float | None:
    """The spam threshold in force: configured, else the model's own."""
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
