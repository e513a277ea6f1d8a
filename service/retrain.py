"""Retrain from the database: read moderators' labels, run the model's recipe, register.

The recipe (time split, weighting, judging, the manifest) is model/retrain.py; this module
only feeds it the labels and stores what it returns (see docs/model.md).
"""

import time
from datetime import datetime

import model
from model import retrain as recipe

from . import labels as labelling
from . import registry
from .tables import ModelVersion, VersionStatus


class RetrainError(Exception):
    """A retrain cannot start (say, no labels yet)."""


def run(
    session,
    champion: "model.Classifier | None",
    secret: str,
    options: recipe.Options,
    force: bool,
    now: datetime,
    log: recipe.Log,
) -> tuple[recipe.Evaluation, ModelVersion, bool]:
    """Retrain, judge, store the challenger signed, and promote it if it earned it (or forced).

    Returns the evaluation, the stored challenger, and whether it now serves.
    """
    started = time.perf_counter()
    log("loading moderators' labels")
    total = labelling.count(session.connection())
    if total < 2:
        raise RetrainError(f"{total} labelled comments: moderate at least 2 first")
    # Only the newest labels that any fit or test below can use are read.
    labels = labelling.load(session.connection(), options.wanted())
    spam = sum(item["label"] == "spam" for item in labels)
    log(f"loaded {len(labels)} of {total} labels ({spam} spam)")
    outcome = recipe.retrain(labels, champion, options, force, log)
    if champion is not None and registry.serving(session) is None:
        # The champion came from MODEL_DIR: keep it in the registry so rollback can reach it.
        registry.import_classifier(session, champion, secret, now)
    status = VersionStatus.PROMOTED if outcome.promoted else VersionStatus.REJECTED
    row = registry.add(session, outcome.data, outcome.manifest, secret, status, now)
    session.commit()
    log(f"done in {time.perf_counter() - started:.1f}s")
    return outcome.evaluation, row, outcome.promoted
