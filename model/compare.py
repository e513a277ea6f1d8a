"""Compare model families in the same leave-one-video-out CV; print a Markdown table."""

import argparse
import json
import sys
import time
from collections.abc import Sequence

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from model import corpora, selftrain, validation
from model.features import record_frame
from model.metrics import choose_threshold, metrics
from model.pipeline import (
    RANDOM_STATE,
    build,
    calibration_cv,
    has_names,
    logistic,
    serving_pipeline,
    side_features,
    text_features,
)
from model.train import DATA_DIR, DEFAULT_FILES

VIDEOS = [name.removesuffix(".csv") for name in DEFAULT_FILES]
SMS = "SMSSpamCollection"


def _family(classifier, transformers):
    """Return a builder of a classifier on some feature blocks, calibrated like the shipped one."""

    def builder(records, groups, labels):
        blocks = transformers(has_names(records))
        return build(classifier, blocks, calibration_cv(groups, labels))

    return builder


def _plain(make_classifier, transformers):
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


def _chars_only(names):
    """Return the issue's baseline features: char 2-5-gram TF-IDF of the content."""
    return text_features(with_words=False)


FAMILIES = {
    "lr-char (issue baseline)": _plain(logistic, _chars_only),
    "lr-word+char": _plain(logistic, lambda names: text_features()),
    "lr-text+signals+domains (previous shipped)": _plain(
        logistic, lambda names: text_features() + side_features(False, with_calls=False)
    ),
    "lr-text+calls+signals+domains (shipped)": serving_pipeline,
    "lr-full (+author block)": _plain(
        logistic, lambda names: text_features() + side_features(names, with_calls=False)
    ),
    "svm-full, sigmoid on one-video-out (previous)": _family(
        LinearSVC(C=1.0, random_state=RANDOM_STATE),
        lambda names: text_features() + side_features(names, with_calls=False),
    ),
    "cnb-full (complement NB)": _family(
        ComplementNB(alpha=0.3),
        lambda names: text_features() + side_features(names, with_calls=False),
    ),
    "hgb-signals (boosting, dense signals)": _family(
        HistGradientBoostingClassifier(random_state=RANDOM_STATE),
        lambda names: side_features(False, with_calls=False)[:1],
    ),
}
SHIPPED = "lr-text+calls+signals+domains (shipped)"


def run(name: str, dataset: corpora.Dataset) -> dict:
    """Cross-validate one family holding out each video; return per-video and pooled metrics."""
    start = time.perf_counter()
    build = FAMILIES[name.removesuffix(" +sms").removesuffix(" +self-training")]
    fit_fold = selftrain.on_held_out(build, dataset) if name.endswith(" +self-training") else None
    scores = validation.held_out_scores(
        build, dataset, eval_groups=VIDEOS, quiet=True, fit_fold=fit_fold
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
    parser = argparse.ArgumentParser(prog="python -m model.compare", description=__doc__)
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
