"""Retrain on the corpora plus moderators' labels; promote only a challenger not worse.

The challenger is judged against the serving champion on the newest site labels: it is
trained on the corpora plus the older labels and both score the newest slice, so the
comparison asks "does it predict what moderators decide next?" rather than re-scoring rows
it has seen. A promoted challenger is then refitted on every label (see docs/model.md).
The labels come in as plain records (the service reads them); nothing here reads a database.
"""

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model import artifact, corpora, validation
from model.artifact import Classifier
from model.metrics import choose_threshold, metrics
from model.pipeline import MODEL_DESCRIPTION, serving_pipeline

Log = Callable[[str], None]
SITE_GROUP = "site labels"
# Shown side by side for champion and challenger; the first is the one that decides.
SHOWN = ("pr_auc", "accuracy", "precision", "recall", "f1")


@dataclass(frozen=True)
class Options:
    """How a retrain weighs, splits and judges (the service reads them from its config)."""

    corpora: Sequence[str | Path]
    holdout: float = 0.2
    margin: float = 0.01
    weight_max: float = 10.0
    max_tested: int = 5_000
    # The newest site labels one fit learns from; None: every label.
    max_labels: int | None = None

    def learnt(self, labels: Sequence[dict]) -> Sequence[dict]:
        """The labels a fit learns from: the newest max_labels, or all of them."""
        return labels if self.max_labels is None else labels[-self.max_labels :]

    def wanted(self) -> int | None:
        """How many of the newest labels a retrain reads; None: all."""
        return None if self.max_labels is None else self.max_labels + self.max_tested


@dataclass
class Evaluation:
    """Champion and challenger metrics on the same newest labels, and the verdict."""

    tested: int
    champion: dict | None
    challenger: dict
    metric: str
    better: bool

    def table(self, champion_version: str | None) -> str:
        """Render the two models side by side, the deciding metric first."""
        head = f"{'metric':<10} {'champion':>10} {'challenger':>11}"
        lines = [f"tested on the newest {self.tested} labels; champion {champion_version}", head]
        for name in SHOWN:
            old = "-" if self.champion is None else _fmt(self.champion.get(name))
            lines.append(f"{name:<10} {old:>10} {_fmt(self.challenger.get(name)):>11}")
        return "\n".join(lines)


@dataclass
class Outcome:
    """What a retrain produced: the verdict, the model's bytes and manifest, and whether it won."""

    evaluation: Evaluation
    data: bytes
    manifest: dict
    promoted: bool


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def site_weight(labels: int, corpus_rows: int, weight_max: float) -> float:
    """Weigh each site label so the site's labels together count as much as the corpora.

    Capped, so ten labels cannot drown the corpora; never below one corpus row.
    """
    if labels == 0:
        return 1.0
    return float(min(weight_max, max(1.0, corpus_rows / labels)))


def time_split(labels: Sequence[dict], options: Options) -> tuple[Sequence, Sequence]:
    """Split labels in decision order: older for training, the newest fraction for testing."""
    wanted = max(1, math.ceil(len(labels) * options.holdout)) if len(labels) >= 2 else 0
    tested = min(wanted, options.max_tested)
    return labels[: len(labels) - tested], labels[len(labels) - tested :]


def dataset(corpus: corpora.Dataset, labels: Sequence[dict], weight: float) -> corpora.Dataset:
    """Return the corpora plus weighted site labels, as one training set."""
    combined = corpora.Dataset()
    combined.extend(corpus)
    combined.extend(corpora.labelled(({**item, "weight": weight} for item in labels), SITE_GROUP))
    return combined


def fit(corpus: corpora.Dataset, labels: Sequence[dict], options: Options, log: Log):
    """Fit the serving recipe on the corpora plus the site labels the options allow."""
    labels = options.learnt(labels)
    weight = site_weight(len(labels), len(corpus.labels), options.weight_max)
    training = dataset(corpus, labels, weight)
    started = time.perf_counter()
    log(
        f"fitting on {len(training.labels)} rows: {len(corpus.labels)} corpus rows and "
        f"{len(labels)} site labels at weight {weight:.2f}"
    )
    pipeline = validation.fit(serving_pipeline, training)
    log(f"fitted in {time.perf_counter() - started:.1f}s")
    return pipeline


def _metrics(truth: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Return the metrics of scores on the held-out labels, quietly when they are one class."""
    with warnings.catch_warnings():
        # A slice of only spam (or only ham) leaves MCC undefined; judge() then uses accuracy.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return metrics(truth, scores, threshold)


def judge(
    truth: np.ndarray,
    champion: tuple[np.ndarray, float] | None,
    challenger: tuple[np.ndarray, float],
    margin: float,
) -> Evaluation:
    """Compare (scores, threshold) of both models on the same labels.

    PR-AUC decides when the slice has both classes (threshold-free, about the spam class);
    with one class only, accuracy at each model's own threshold does.
    """
    new = _metrics(truth, *challenger)
    old = _metrics(truth, *champion) if champion is not None else None
    metric = "pr_auc" if new["pr_auc"] is not None else "accuracy"
    better = old is None or new[metric] >= old[metric] - margin
    return Evaluation(len(truth), old, new, metric, better)


def evaluate(
    corpus: corpora.Dataset,
    labels: Sequence[dict],
    champion: Classifier | None,
    options: Options,
    log: Log,
) -> tuple[Evaluation, float, object]:
    """Train a challenger on older labels and score both models on the newest labels.

    Returns the verdict, the challenger's threshold and the fitted challenger.
    """
    older, newer = time_split(labels, options)
    log(f"evaluating: training on {len(older)} older labels, testing on the newest {len(newer)}")
    challenger = fit(corpus, older, options, log)
    truth = np.array([item["label"] == "spam" for item in newer], dtype=int)
    started = time.perf_counter()
    new_scores = challenger.predict_proba([corpora.as_record(item) for item in newer])[:, 1]
    if champion is None:
        # Nothing serves to inherit a threshold from: take the precision-bound one here.
        threshold, old = choose_threshold(truth, new_scores), None
    else:
        threshold = champion.threshold
        old = (np.asarray(champion.score_many(corpora.as_record(i) for i in newer)), threshold)
    log(f"scored {len(newer)} held-out labels in {time.perf_counter() - started:.1f}s")
    return judge(truth, old, (new_scores, threshold), options.margin), threshold, challenger


def manifest(
    pipeline_bytes: bytes,
    corpus: corpora.Dataset,
    labels: Sequence[dict],
    options: Options,
    threshold: float,
    evaluation: Evaluation,
    champion_version: str | None,
    started: float,
) -> dict:
    """Describe a retrained model: the labels it learnt from, weighting, threshold, verdict."""
    labels = options.learnt(labels)
    weight = site_weight(len(labels), len(corpus.labels), options.weight_max)
    site = {"name": SITE_GROUP, "format": "database", "rows": len(labels), "weight": weight}
    site["spam"] = sum(item["label"] == "spam" for item in labels)
    facts = {
        "model": MODEL_DESCRIPTION,
        "data": [*corpus.sources, site],
        "rows": len(corpus.labels) + len(labels),
        "threshold": threshold,
        "threshold_rule": f"carried from the champion {champion_version}"
        if champion_version
        else "lowest held-out score with spam precision >= 0.99 on the newest labels",
        "metrics": {
            "protocol": "time split: trained on the corpora and older site labels, tested on "
            f"the newest {evaluation.tested}; a promoted model is then refitted on every label",
            "decided_by": evaluation.metric,
            "challenger": evaluation.challenger,
            "champion": evaluation.champion,
            "champion_version": champion_version,
        },
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return artifact.new_manifest(pipeline_bytes, facts)


def retrain(
    labels: Sequence[dict], champion: Classifier | None, options: Options, force: bool, log: Log
) -> Outcome:
    """Judge a challenger against the champion, refit it on every label if it wins (or forced).

    labels are the moderators' decisions as records with a "label", oldest decision first.
    """
    started = time.perf_counter()
    corpus = corpora.load_all(options.corpora)
    evaluation, threshold, pipeline = evaluate(corpus, labels, champion, options, log)
    promoted = force or evaluation.better
    trained_on = time_split(labels, options)[0]
    if promoted:
        log("refitting the winner on every label")
        trained_on = labels
        pipeline = fit(corpus, trained_on, options, log)
    else:
        log("keeping the champion; storing the challenger for the record")
    data = artifact.dump(pipeline)
    version = champion.version if champion else None
    described = manifest(data, corpus, trained_on, options, threshold, evaluation, version, started)
    return Outcome(evaluation, data, described, promoted)
