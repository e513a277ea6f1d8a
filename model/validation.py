"""Grouped cross-validation: hold out one whole source at a time, never a random split."""

import sys
import time
from collections.abc import Callable

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from model.corpora import Dataset
from model.pipeline import RANDOM_STATE

# Returns a fresh, unfitted pipeline.
Builder = Callable[[], Pipeline]


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"[model] {message}", file=sys.stderr, flush=True)


def fit(build: Builder, dataset: Dataset, rows: np.ndarray | None = None) -> Pipeline:
    """Fit a fresh pipeline on some rows (default all) of a dataset, with their weights."""
    rows = np.arange(len(dataset.labels)) if rows is None else rows
    labels = np.asarray(dataset.labels)[rows]
    records = [dataset.records[i] for i in rows]
    return build().fit(records, labels, classifier__sample_weight=np.asarray(dataset.weights)[rows])


def folds(dataset: Dataset, eval_groups=None):
    """Yield (name, train rows, test rows): one fold per source, or 5 stratified folds."""
    groups = np.asarray(dataset.groups)
    names = list(dict.fromkeys(dataset.groups))
    if len(names) < 2:
        # One source has nothing to hold out whole; say so in the protocol, do not pretend.
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
        for number, (train, test) in enumerate(splitter.split(groups, dataset.labels), start=1):
            yield f"{names[0]} fold {number}", train, test
        return
    for group in names if eval_groups is None else eval_groups:
        yield group, np.flatnonzero(groups != group), np.flatnonzero(groups == group)


def protocol(dataset: Dataset) -> str:
    """Describe the cross-validation that folds() runs on a dataset."""
    if len(set(dataset.groups)) < 2:
        return "stratified 5-fold (a single source: no source can be held out)"
    return "leave one source out (each source file held out whole, in turn)"


def held_out_scores(
    build: Builder | None,
    dataset: Dataset,
    eval_groups=None,
    quiet: bool = False,
    fit_fold: Callable[[np.ndarray, np.ndarray], Pipeline] | None = None,
) -> np.ndarray:
    """Return each row's spam score from a model that never saw that row's fold's labels.

    Rows only ever trained on (groups not in eval_groups) keep a NaN score. Each fold's model is
    build's, fitted on the train rows, unless fit_fold(train, test) fits it (build may then be
    None): model.selftrain.on_held_out also self-trains on the test rows' texts, never labels.
    """
    scores = np.full(len(dataset.labels), np.nan)
    plan = list(folds(dataset, eval_groups))
    for number, (name, train, test) in enumerate(plan, start=1):
        start = time.perf_counter()
        model = fit(build, dataset, train) if fit_fold is None else fit_fold(train, test)
        scores[test] = model.predict_proba([dataset.records[i] for i in test])[:, 1]
        if not quiet:
            log(
                f"fold {number}/{len(plan)}: held out {name} ({len(test)} rows) "
                f"in {time.perf_counter() - start:.1f}s"
            )
    return scores
