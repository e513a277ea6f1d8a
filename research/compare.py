"""Compare model families in the same leave-one-video-out CV; print a Markdown table.

`python -m research.compare [--family NAME ...] [--json FILE]` (docs/model.md). A family
here may depend on its training rows (calibration folds of whole videos, an author block only
when there are names), so each fold builds it for that fold's rows.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from model import corpora, selftrain, validation
from model.features import AUTHOR_NAME, record_frame
from model.metrics import choose_threshold, metrics
from model.pipeline import (
    RANDOM_STATE,
    logistic,
    serving_pipeline,
    side_features,
    text_features,
)
from model.train import DATA_DIR, DEFAULT_FILES

# Builds a family's unfitted pipeline for some training records, groups and labels.
Family = Callable[[list, np.ndarray, np.ndarray], Pipeline]

VIDEOS = [name.removesuffix(".csv") for name in DEFAULT_FILES]
SMS = "SMSSpamCollection"


class FixedGroupSplit:
    """Leave out one group at a time of a group assignment fixed when the model is built."""

    def __init__(self, groups):
        self.groups = groups

    def split(self, X=None, y=None, groups=None):
        """Yield (train, test) indices, holding out each group once."""
        yield from LeaveOneGroupOut().split(np.zeros(len(self.groups)), groups=self.groups)

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Return the number of groups."""
        return len(np.unique(self.groups))


def calibration_cv(groups, labels):
    """Return a splitter that calibrates on whole held-out sources when there are several."""
    codes = np.unique(np.asarray(groups), return_inverse=True)[1].astype(np.int16)
    if len(np.unique(codes)) >= 2:
        return FixedGroupSplit(codes)
    # A single source (e.g. one site's own labels) has nothing to hold out but rows.
    folds = int(min(5, np.bincount(np.asarray(labels)).min()))
    return StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=RANDOM_STATE)


def build(classifier, transformers: list[tuple], cv) -> Pipeline:
    """Chain the record frame, the features and a sigmoid-calibrated classifier."""
    return Pipeline(
        [
            ("frame", FunctionTransformer(record_frame)),
            ("features", ColumnTransformer(transformers, sparse_threshold=1.0)),
            (
                "classifier",
                CalibratedClassifierCV(classifier, method="sigmoid", cv=cv, ensemble=False),
            ),
        ]
    )


def has_names(records) -> bool:
    """Tell whether any record gives an author name (an author block needs one to learn from)."""
    return any((record.get("author_name") or "").strip() for record in records)


def _chars_only(names):
    """Return the issue's baseline features: char 2-5-gram TF-IDF of the content."""
    return [block for block in text_features() if block[0] == "chars"]


def _side(with_author: bool) -> list[tuple]:
    """Return the signal and domain blocks (no call-to-action flags), and an author block."""
    blocks = [block for block in side_features() if block[0] != "calls"]
    if with_author:
        author = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        blocks.append(("author", author, AUTHOR_NAME))
    return blocks


def _family(classifier, transformers) -> Family:
    """Return a builder of a classifier on some feature blocks, calibrated like the shipped one."""

    def builder(records, groups, labels):
        blocks = transformers(has_names(records))
        return build(classifier, blocks, calibration_cv(groups, labels))

    return builder


def _plain(make_classifier, transformers) -> Family:
    """Return a builder of an uncalibrated classifier on some feature blocks."""

    def builder(records, groups, labels):
        return Pipeline(
            [
                ("frame", FunctionTransformer(record_frame)),
                (
                    "features",
                    ColumnTransformer(transformers(has_names(records)), sparse_threshold=1.0),
                ),
                ("classifier", make_classifier()),
            ]
        )

    return builder


def _shipped(records, groups, labels) -> Pipeline:
    """Return the served pipeline, which needs nothing of its training rows to be built."""
    return serving_pipeline()


FAMILIES = {
    "lr-char (issue baseline)": _plain(logistic, _chars_only),
    "lr-word+char": _plain(logistic, lambda names: text_features()),
    "lr-text+signals+domains (previous shipped)": _plain(
        logistic, lambda names: text_features() + _side(False)
    ),
    "lr-text+calls+signals+domains (shipped)": _shipped,
    "lr-full (+author block)": _plain(logistic, lambda names: text_features() + _side(names)),
    "svm-full, sigmoid on one-video-out (previous)": _family(
        LinearSVC(C=1.0, random_state=RANDOM_STATE),
        lambda names: text_features() + _side(names),
    ),
    "cnb-full (complement NB)": _family(
        ComplementNB(alpha=0.3),
        lambda names: text_features() + _side(names),
    ),
    "hgb-signals (boosting, dense signals)": _family(
        HistGradientBoostingClassifier(random_state=RANDOM_STATE),
        lambda names: _side(False)[:1],
    ),
}
SHIPPED = "lr-text+calls+signals+domains (shipped)"


def fold_fitter(name: str, dataset: corpora.Dataset):
    """Return how a family fits one fold: built for the fold's training rows, or self-trained."""
    if name.endswith(" +self-training"):
        # Only the shipped family is self-trained, and it is built the same for any rows.
        return selftrain.on_held_out(serving_pipeline, dataset)
    family = FAMILIES[name.removesuffix(" +sms")]
    groups, labels = np.asarray(dataset.groups), np.asarray(dataset.labels)

    def fit_fold(train: np.ndarray, test: np.ndarray) -> Pipeline:
        records = [dataset.records[i] for i in train]
        return validation.fit(lambda: family(records, groups[train], labels[train]), dataset, train)

    return fit_fold


def run(name: str, dataset: corpora.Dataset) -> dict:
    """Cross-validate one family holding out each video; return per-video and pooled metrics."""
    start = time.perf_counter()
    fit_fold = fold_fitter(name, dataset)
    scores = validation.held_out_scores(
        None, dataset, eval_groups=VIDEOS, quiet=True, fit_fold=fit_fold
    )
    rows = ~np.isnan(scores)
    y = np.asarray(dataset.labels)[rows]
    g = np.asarray(dataset.groups)[rows]
    p = scores[rows]
    per_video = {video: metrics(y[g == video], p[g == video], 0.5) for video in VIDEOS}
    threshold = choose_threshold(y, p)
    result = {
        "family": name,
        "per_video": per_video,
        "pooled": metrics(y, p, 0.5),
        "at_precision_0.99": metrics(y, p, threshold),
        "seconds": round(time.perf_counter() - start, 1),
    }
    validation.log(
        f"{name}: min MCC {min(v['mcc'] for v in per_video.values()):.3f} in {result['seconds']}s"
    )
    return result


def table(results: list[dict]) -> str:
    """Format the results as a Markdown table."""
    head = (
        ["family"]
        + [f"{v.split('-')[1]} F1 / MCC" for v in VIDEOS]
        + ["ROC-AUC", "PR-AUC", "Brier", "recall @ P≥0.99", "CV s"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        videos = [
            f"{result['per_video'][v]['f1']:.3f} / {result['per_video'][v]['mcc']:.3f}"
            for v in VIDEOS
        ]
        pooled, strict = result["pooled"], result["at_precision_0.99"]
        lines.append(
            "| "
            + " | ".join(
                [
                    result["family"],
                    *videos,
                    f"{pooled['roc_auc']:.4f}",
                    f"{pooled['pr_auc']:.4f}",
                    f"{pooled['brier']:.4f}",
                    f"{strict['recall']:.3f}",
                    f"{result['seconds']}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison command line."""
    parser = argparse.ArgumentParser(prog="python -m research.compare", description=__doc__)
    parser.add_argument(
        "--family", action="append", choices=sorted(FAMILIES), help="families to run (default: all)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the full results as JSON")
    args = parser.parse_args(argv)
    videos = corpora.load_all(DATA_DIR / name for name in DEFAULT_FILES)
    with_sms = corpora.load_all([*(DATA_DIR / name for name in DEFAULT_FILES), DATA_DIR / SMS])
    results = [run(name, videos) for name in args.family or FAMILIES]
    # The SMS question: the shipped family with SMS in every training fold, scored on videos.
    results.append(run(f"{SHIPPED} +sms", with_sms))
    # Round 4: the shipped family self-trained on each held-out video's unlabelled texts.
    results.append(run(f"{SHIPPED} +self-training", videos))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
