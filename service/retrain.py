"""Retrain from the database: read moderators' labels, run the model's recipe, register.

The recipe (time split, weighting, judging, the manifest) is model/retrain.py; this module
only feeds it the labels and stores what it returns (see docs/model.md). Every retrain, by
`make retrain` or the worker, goes through `guarded`: under the one "retrain" lease
(service/leases.py), so two hosts never train at once, and recorded in retrain_runs.
"""

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

import model
from model import retrain as recipe

from . import labels as labelling
from . import leases, registry, scoring
from .clock import now
from .db import db
from .tables import ModelVersion, RetrainRun, RunStatus, VersionStatus

log = logging.getLogger(__name__)
LEASE = "retrain"
# A time split needs one label to learn from and one to test on.
MIN_LABELS = 2


class RetrainError(Exception):
    """A retrain cannot start (say, no labels yet)."""


@dataclass(frozen=True)
class Trained:
    """A retrain's result, staged in the session: the verdict, the stored version, its fate."""

    evaluation: recipe.Evaluation
    version: ModelVersion
    promoted: bool
    labels: int


@dataclass(frozen=True)
class Retrained:
    """A recorded retrain: what it trained, against which champion, and the decision line."""

    trained: Trained
    champion: str | None
    decision: str
    run: RetrainRun


def options(config: Mapping, margin: float | None = None) -> recipe.Options:
    """Read the retrain options from the app's config, with an optional margin override."""
    return recipe.Options(
        corpora=config["RETRAIN_CORPORA"],
        holdout=config["RETRAIN_HOLDOUT"],
        margin=config["RETRAIN_MARGIN"] if margin is None else margin,
        weight_max=config["LABEL_WEIGHT_MAX"],
        max_tested=config["RETRAIN_MAX_TESTED"],
        max_labels=config["RETRAIN_MAX_LABELS"],
        sample_rows=config["RETRAIN_SAMPLE_ROWS"],
    )


def run(
    session: orm.Session,
    champion: "model.Classifier | None",
    secret: str,
    options: recipe.Options,
    force: bool,
    now: datetime,
    log: recipe.Log,
    upto: int,
) -> Trained:
    """Retrain on the labels as of action upto, judge, and stage the challenger signed,
    promoted if it earned it (or forced).

    Nothing is committed: `guarded` commits it with the retrain's record, under the lease.
    """
    started = time.perf_counter()
    log("counting moderators' labels")
    labels = labelling.Stored(session.connection(), upto)
    if len(labels) < MIN_LABELS:
        raise RetrainError(f"{len(labels)} labelled comments: moderate at least {MIN_LABELS} first")
    log(f"{len(labels)} labels, read from the database a window at a time")
    outcome = recipe.retrain(labels, champion, options, force, log)
    if champion is not None and registry.serving(session) is None:
        # The champion came from MODEL_DIR: keep it in the registry so rollback can reach it.
        registry.import_classifier(session, champion, secret, now)
    status = VersionStatus.PROMOTED if outcome.promoted else VersionStatus.REJECTED
    row = registry.add(session, outcome.data, outcome.manifest, secret, status, now)
    log(f"done in {time.perf_counter() - started:.1f}s")
    return Trained(outcome.evaluation, row, outcome.promoted, len(labels))


def decision(evaluation: recipe.Evaluation, margin: float, promoted: bool, version: str) -> str:
    """Say what was decided and why, in one line."""
    name = evaluation.metric
    new = evaluation.challenger[name]
    if evaluation.champion is None:
        why = "no champion to compare with"
    else:
        old = evaluation.champion[name]
        sign = ">=" if evaluation.better else "<"
        why = f"challenger {name} {new:.3f} {sign} champion {old:.3f} - margin {margin:g}"
    if promoted and not evaluation.better:
        return f"decision: PROMOTED {version} by --force although worse ({why})"
    if promoted:
        return f"decision: PROMOTED {version} ({why}); workers load it within MODEL_POLL_SECONDS"
    return f"decision: KEPT the champion; {version} stored as rejected ({why}; --force to promote)"


def guarded(
    trigger_of: Callable[[orm.Session], str | None],
    options: recipe.Options,
    force: bool,
    log: recipe.Log,
) -> Retrained | None:
    """Retrain under the lease and record it, if trigger_of (asked under the lease) says why.

    Returns None when trigger_of finds nothing due. Raises leases.Held while another retrain
    runs; any error is recorded on the run, then raised.
    """
    config = current_app.config
    with leases.hold(db.engine, LEASE, config["CLOCK"], config["LEASE_SECONDS"]) as lease:
        session = db.session
        trigger = trigger_of(session)
        if trigger is None:
            return None
        record = RetrainRun(
            trigger=trigger,
            holder=lease.holder,
            started_at=now(),
            label_mark=labelling.mark(session.connection()),
            status=RunStatus.RUNNING,
        )
        session.add(record)
        session.commit()  # seen at once: a retrain that dies leaves its start on record
        with _recording(session, record):
            # The champion is whatever serves now, read under the lease, not a stale poll.
            scoring.refresh(current_app._get_current_object())
            champion = scoring.classifier()
            trained = run(
                session,
                champion,
                config["SECRET_KEY"],
                options,
                force,
                now(),
                log,
                record.label_mark,
            )
            line = decision(
                trained.evaluation, options.margin, trained.promoted, trained.version.version
            )
            lease.confirm(session.connection())  # stored only while this process holds the lease
            _finish(record, RunStatus.PROMOTED if trained.promoted else RunStatus.KEPT, line)
            record.labels, record.version = trained.labels, trained.version.version
            session.commit()
    return Retrained(trained, champion.version if champion else None, line, record)


@contextmanager
def _recording(session: orm.Session, record: RetrainRun) -> Iterator[None]:
    """Record on the run how the block failed or was stopped, undoing what it staged."""
    try:
        yield
    except Exception as error:
        _record_end(session, record, RunStatus.FAILED, f"{type(error).__name__}: {error}")
        raise
    except BaseException as error:  # SIGTERM in the worker, Ctrl-C at the terminal
        _record_end(session, record, RunStatus.STOPPED, f"stopped ({type(error).__name__})")
        raise


def _finish(record: RetrainRun, status: RunStatus, outcome: str) -> None:
    """Mark the run ended now, with its status and outcome."""
    record.finished_at, record.status, record.outcome = now(), status, outcome


def _record_end(session: orm.Session, record: RetrainRun, status: RunStatus, outcome: str) -> None:
    """Roll back what the run staged and store how it ended; log if even that fails."""
    try:
        session.rollback()
        _finish(record, status, outcome)
        session.commit()
    except sa.exc.SQLAlchemyError:
        log.exception("cannot record retrain %s as %s: %s", record.id, status, outcome)


def latest(session: orm.Session, counted: bool = False) -> RetrainRun | None:
    """The newest retrain; counted: the newest that counts for when the next is due.

    A run stopped on purpose (a deploy's SIGTERM) does not count, so the next worker retries
    it at once; a failed one does, so a failure is retried when next due, not in a loop.
    """
    query = sa.select(RetrainRun).order_by(RetrainRun.id.desc()).limit(1)
    if counted:
        query = query.where(RetrainRun.status != RunStatus.STOPPED)
    return session.scalar(query)
