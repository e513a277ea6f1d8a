"""The retrain recipe run on a site's imported history, as `flask model retrain` runs it.

Shared by the research commands that ask what an import teaches (research.day_one,
research.import_curve, research.learning_curve): the serving model as the service loads it,
the retrain options the service reads from its configuration, a history CSV's decided
comments as the labels an import makes of them, and the figures a routing decision is judged
by. Nothing here trains on anything but the labels it is given.
"""

import csv
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from flask import Flask

from model import chunked, corpora, retrain
from model.artifact import Classifier, signing_key
from model.metrics import metrics
from service import retrain as service_retrain
from service import scoring
from service.config import INSTANCE, Config
from service.labels import LABELS
from service.tables import Status

HISTORY_COLUMNS = {"content", "created_at", "status"}


class HistoryError(ValueError):
    """A history CSV cannot be read as an import would read it."""


def champion() -> Classifier | None:
    """Load the serving model exactly as the service does: MODEL_DIR/LATEST, signature checked."""
    return scoring.load(Path(Config.MODEL_DIR), signing_key(INSTANCE / "secret_key"))


def options() -> retrain.Options:
    """The retrain options `flask model retrain` reads from the service's configuration."""
    app = Flask(__name__)
    app.config.from_object(Config)
    return service_retrain.options(app.config)


def _label(row: dict, where: str) -> str | None:
    """The label an import makes of a row's status (None: pending, no decision)."""
    try:
        status = Status(row["status"].strip().lower())
    except ValueError:
        choices = ", ".join(status.value for status in Status)
        raise HistoryError(f"{where}: status {row['status']!r} is not one of {choices}") from None
    return LABELS.get(status)


def _created(row: dict, where: str) -> datetime:
    """A row's created_at, ISO 8601, as an aware datetime."""
    try:
        created = datetime.fromisoformat(row["created_at"])
    except ValueError:
        raise HistoryError(f"{where}: created_at {row['created_at']!r} is not ISO 8601") from None
    # Without a zone it is taken as UTC, so one file may mix both spellings.
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def decided(path: Path) -> list[dict]:
    """Return a history CSV's decided comments as labelled records, oldest first.

    Pending rows are no label, as in the service (service/labels.py); decisions are ordered
    by when the comment was posted, which is all an import knows of when it was decided.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = HISTORY_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise HistoryError(f"{path}:1: missing columns {sorted(missing)}")
        rows = []
        for row in reader:
            where = f"{path}:{reader.line_num}"
            label = _label(row, where)
            if label is not None:
                created = _created(row, where)
                rows.append({**corpora.as_record(row), "label": label, "created_at": created})
    return sorted(rows, key=lambda record: record["created_at"])


@dataclass
class Retrained:
    """What a retrain on some labels did: the verdict, the challenger, and what now serves."""

    evaluation: retrain.Evaluation
    threshold: float
    challenger: object
    tested: Sequence[dict]
    serving: object | None

    @property
    def promoted(self) -> bool:
        """Whether the challenger won (and was refitted on every label)."""
        return self.evaluation.better

    def served(self, champion: Classifier):
        """The model that serves after the retrain: the refitted challenger, or the champion."""
        return self.serving if self.promoted else champion


def run(
    corpus: corpora.Dataset, labels: Sequence[dict], current: Classifier, chosen: retrain.Options
) -> Retrained:
    """Judge a challenger on the newest labels and refit it on all of them if it wins.

    The same calls, in the same order, as model.retrain.retrain, minus storing the artifact.
    """
    listed = retrain.Listed(labels)
    with chunked.Fit(sample_rows=chosen.sample_rows) as fitting:
        evaluation, threshold, challenger = retrain.evaluate(
            corpus, listed, current, chosen, _quiet, fitting
        )
        serving = None
        if evaluation.better:
            serving = retrain.refit(corpus, listed, chosen, _quiet, fitting)
    tested = retrain.time_split(len(labels), chosen)[1]
    return Retrained(evaluation, threshold, challenger, [labels[i] for i in tested], serving)


def _quiet(message: str) -> None:
    """Drop the recipe's progress lines: a research command prints its own."""


def scores(model, records: Sequence[dict]) -> np.ndarray:
    """Spam probabilities of records, from a served Classifier or a fitted Pipeline."""
    plain = [corpora.as_record(item) for item in records]
    if isinstance(model, Classifier):
        return np.asarray(model.score_many(plain))
    return model.predict_proba(plain)[:, 1]


def truth(records: Sequence[dict]) -> np.ndarray:
    """1 for each record labelled spam, 0 for each reader's."""
    return np.array([item["label"] == "spam" for item in records], dtype=int)


def figures(actual: np.ndarray, predicted: np.ndarray, threshold: float) -> dict:
    """Judge routing at a threshold: a comment scored at or above it goes to spam."""
    # The service's rule (service/rules.py classifier_check): score >= threshold is spam.
    with warnings.catch_warnings():
        # A one-class set (a small smoke-test history) leaves MCC undefined: 0, quietly.
        warnings.simplefilter("ignore", (UserWarning, RuntimeWarning))
        found = metrics(actual, predicted, threshold)
    return {
        "threshold": round(float(threshold), 4),
        "precision": round(found["precision"], 4),
        "recall": round(found["recall"], 4),
        "mcc": round(found["mcc"], 4),
        "readers": int(len(actual) - actual.sum()),
        "readers_to_spam": found["confusion"]["fp"],
        "spam": int(actual.sum()),
        "spam_to_spam": found["confusion"]["tp"],
    }


def fail(message: str) -> int:
    """Print an error to stderr and return the exit status of a command that cannot run."""
    print(f"error: {message}", file=sys.stderr)
    return 2
