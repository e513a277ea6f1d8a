"""Retrain on the corpora plus moderators' labels; promote only a challenger not worse.

The challenger is judged against the serving champion on the newest site labels: it is
trained on the corpora plus the older labels and both score the newest slice, so the
comparison asks "does it predict what moderators decide next?" rather than re-scoring rows
it has seen. A promoted challenger is then refitted on every label (see docs/model.md).
The labels come in as plain records through `Labels` (the service reads them from its
database, a window at a time); nothing here reads a database, and nothing here holds every
label at once: fits are model/chunked.py's, the judging slice is scored a chunk at a time.
"""

import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np

from model import artifact, chunked, corpora
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
    # The rows a fit holds in memory; more are fitted chunked (model/chunked.py).
    sample_rows: int = chunked.SAMPLE_ROWS

    def learnt(self, window: range) -> range:
        """The labels of a window a fit learns from: its newest max_labels, or all of them."""
        return window if self.max_labels is None else window[-self.max_labels :]


class Labels(Protocol):
    """Moderators' labels, oldest decision first, read a window at a time.

    Each is a record with a "label" (spam or ham); reading the same window twice gives the same
    labels. A list fits (`Listed`); the service reads its database (service/labels.py).
    """

    def __len__(self) -> int: ...

    def read(self, window: range) -> Iterator[dict]: ...


class Listed:
    """Labels held in a list."""

    def __init__(self, labels: Sequence[dict]):
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def read(self, window: range) -> Iterator[dict]:
        """Yield the labels at the window's positions."""
        return iter(self.labels[window.start : window.stop])


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


def time_split(count: int, options: Options) -> tuple[range, range]:
    """Split count labels in decision order: older for training, the newest for testing."""
    wanted = max(1, math.ceil(count * options.holdout)) if count >= 2 else 0
    tested = min(wanted, options.max_tested)
    return range(count - tested), range(count - tested, count)


def label_of(item: dict, where: str) -> int:
    """Return 1 for a spam label and 0 for a ham one, or raise CorpusError."""
    return corpora.parse_label(item.get("label", ""), where)


def rows(labels: Labels, window: range, weight: float) -> Iterator[chunked.Row]:
    """The site labels of a window as training rows, each at the site weight."""
    for position, item in zip(window, labels.read(window), strict=True):
        label = label_of(item, f"{SITE_GROUP} record {position}")
        yield chunked.Row(corpora.as_record(item), label, weight)


def corpus_rows(corpus: corpora.Dataset) -> Iterator[chunked.Row]:
    """The corpora as training rows, each at its own weight."""
    for record, label, weight in zip(corpus.records, corpus.labels, corpus.weights, strict=True):
        yield chunked.Row(record, label, weight)


def fit(
    corpus: corpora.Dataset,
    labels: Labels,
    window: range,
    options: Options,
    log: Log,
    fitting: chunked.Fit,
    later: range = range(0),
):
    """Fit the serving recipe on the corpora plus the window's site labels the options allow.

    later: the labels a refit would add (`refit`); a chunked fit reads their texts into its
    vocabulary's sample now, so that the refitted model has the words of the newest labels.
    """
    window = options.learnt(window)
    weight = site_weight(len(window), len(corpus.labels), options.weight_max)
    then = site_weight(len(window) + len(later), len(corpus.labels), options.weight_max)
    started = time.perf_counter()
    log(
        f"fitting on {len(corpus.labels) + len(window)} rows: {len(corpus.labels)} corpus rows "
        f"and {len(window)} site labels at weight {weight:.2f}"
    )
    training = chain(corpus_rows(corpus), rows(labels, window, weight))
    pipeline = fitting.fit(serving_pipeline, training, log, later=rows(labels, later, then))
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
    labels: Labels,
    champion: Classifier | None,
    options: Options,
    log: Log,
    fitting: chunked.Fit,
) -> tuple[Evaluation, float, object]:
    """Train a challenger on older labels and score both models on the newest labels.

    The newest labels are read and scored a chunk at a time. Returns the verdict, the
    challenger's threshold and the fitted challenger.
    """
    older, newer = time_split(len(labels), options)
    log(f"evaluating: training on {len(older)} older labels, testing on the newest {len(newer)}")
    challenger = fit(corpus, labels, older, options, log, fitting, later=newer)
    started = time.perf_counter()
    truth, new_scores, old_scores = [], [], []
    score_new = chunked.scorer(challenger)
    score_old = chunked.scorer(champion.pipeline) if champion is not None else None
    for batch in chunked.batched(labels.read(newer), chunked.CHUNK_ROWS):
        records = [corpora.as_record(item) for item in batch]
        truth += [item["label"] == "spam" for item in batch]
        new_scores += score_new(records).tolist()
        if score_old is not None:
            old_scores += score_old(records).tolist()
    truth, new_scores = np.array(truth, dtype=int), np.array(new_scores)
    if champion is None:
        # Nothing serves to inherit a threshold from: take the precision-bound one here.
        threshold, old = choose_threshold(truth, new_scores), None
    else:
        threshold, old = champion.threshold, (np.array(old_scores), champion.threshold)
    log(f"scored {len(newer)} held-out labels in {time.perf_counter() - started:.1f}s")
    return judge(truth, old, (new_scores, threshold), options.margin), threshold, challenger


def refit(
    corpus: corpora.Dataset,
    labels: Labels,
    options: Options,
    log: Log,
    fitting: chunked.Fit,
):
    """Fit the winner on every label the options allow.

    A challenger that spilled its rows takes in the newest labels it kept for later (their
    texts already in its vocabulary's sample) and refines its classifier from where it stands;
    any other is fitted afresh, vocabulary included, as model.train would.
    """
    before = options.learnt(time_split(len(labels), options)[0])
    window = options.learnt(range(len(labels)))
    weight = site_weight(len(window), len(corpus.labels), options.weight_max)
    same_weight = weight == site_weight(len(before), len(corpus.labels), options.weight_max)
    if fitting.spill is not None and window.start == before.start and same_weight:
        log(f"adding the newest {window.stop - before.stop} labels to the fit")
        return fitting.extend(log)
    return fit(corpus, labels, window, options, log, fitting)


def manifest(
    pipeline_bytes: bytes,
    corpus: corpora.Dataset,
    learnt: dict,
    threshold: float,
    evaluation: Evaluation,
    champion_version: str | None,
    started: float,
) -> dict:
    """Describe a retrained model: the labels it learnt from (learnt: rows, weight, spam),
    the threshold and the verdict."""
    site = {"name": SITE_GROUP, "format": "database", **learnt}
    facts = {
        "model": MODEL_DESCRIPTION,
        "data": [*corpus.sources, site],
        "rows": len(corpus.labels) + learnt["rows"],
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
    labels: Labels, champion: Classifier | None, options: Options, force: bool, log: Log
) -> Outcome:
    """Judge a challenger against the champion, refit it on every label if it wins (or forced).

    labels are the moderators' decisions as records with a "label", oldest decision first.
    """
    started = time.perf_counter()
    corpus = corpora.load_all(options.corpora)
    with chunked.Fit(sample_rows=options.sample_rows) as fitting:
        evaluation, threshold, pipeline = evaluate(corpus, labels, champion, options, log, fitting)
        promoted = force or evaluation.better
        trained_on = options.learnt(time_split(len(labels), options)[0])
        if promoted:
            log("refitting the winner on every label")
            trained_on = options.learnt(range(len(labels)))
            pipeline = refit(corpus, labels, options, log, fitting)
        else:
            log("keeping the champion; storing the challenger for the record")
        data = artifact.dump(pipeline)
        spam = fitting.spam - sum(corpus.labels)
    weight = site_weight(len(trained_on), len(corpus.labels), options.weight_max)
    learnt = {"rows": len(trained_on), "weight": weight, "spam": spam}
    version = champion.version if champion else None
    described = manifest(data, corpus, learnt, threshold, evaluation, version, started)
    return Outcome(evaluation, data, described, promoted)
