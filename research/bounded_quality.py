"""What bounded memory costs in quality: the leave-one-source-out table, in memory and chunked.

`python -m research.bounded_quality`: each held-out video is scored by

- the served recipe fitted in memory (`model.validation.fit`, what `make train` does);
- a chunked fit whose sample holds every training row (what a retrain does up to
  model.chunked.SAMPLE_ROWS rows): the same model, checked here, not assumed;
- chunked fits whose sample holds only a fraction of each training fold: vocabulary and a first
  fit from the sample, the classifier refined over every row, which is what a retrain does past
  SAMPLE_ROWS, here at the corpora's scale (a fraction of a fold stands for 50,000 of a million).

Per video F1 / MCC at 0.5, pooled Brier and the recall at the precision >= 0.99 threshold, as
docs/model.md reports them. `make bench` runs it (bench/quality.py).
"""

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from model import chunked, corpora, validation
from model.metrics import choose_threshold, metrics
from model.pipeline import serving_pipeline
from model.retrain import corpus_rows
from model.train import DATA_DIR, DEFAULT_FILES

FRACTIONS = (0.5, 0.25)


def _quiet(message: str) -> None:
    """Drop the fit's progress lines."""


def chunked_fold(dataset: corpora.Dataset, fraction: float):
    """A fit_fold for model.validation: a chunked fit of the training rows, its sample holding
    that fraction of them (1.0: all, so it fits in memory)."""
    rows = list(corpus_rows(dataset))

    def fit_fold(train: np.ndarray, test: np.ndarray):
        sample = max(2, int(len(train) * fraction)) if fraction < 1 else len(train)
        with chunked.Fit(workers=1, sample_rows=sample) as fitting:
            return fitting.fit(serving_pipeline, (rows[i] for i in train), _quiet)

    return fit_fold


def summary(name: str, dataset: corpora.Dataset, scores: np.ndarray) -> dict:
    """The docs' columns for one recipe's held-out scores."""
    y, groups = np.asarray(dataset.labels), np.asarray(dataset.groups)
    per_video = {
        group: metrics(y[groups == group], scores[groups == group], 0.5)
        for group in dict.fromkeys(dataset.groups)
    }
    threshold = choose_threshold(y, scores)
    pooled = metrics(y, scores, threshold)
    return {
        "recipe": name,
        "per_video": {g: (m["f1"], m["mcc"]) for g, m in per_video.items()},
        "worst_mcc": min(m["mcc"] for m in per_video.values()),
        "brier": pooled["brier"],
        "recall_at_precision": pooled["recall"],
        "scores": scores,
    }


def compare(fractions: Sequence[float] = FRACTIONS) -> list[dict]:
    """Score every video held out by each recipe; the in-memory one first."""
    dataset = corpora.load_all(DATA_DIR / name for name in DEFAULT_FILES)
    held_out = validation.held_out_scores(serving_pipeline, dataset, quiet=True)
    results = [summary("in memory (make train)", dataset, held_out)]
    for fraction in (1.0, *fractions):
        fit_fold = chunked_fold(dataset, fraction)
        scores = validation.held_out_scores(None, dataset, quiet=True, fit_fold=fit_fold)
        name = (
            "chunked, sample = every row"
            if fraction == 1
            else f"chunked, sample = {fraction:.0%} of each fold"
        )
        results.append(summary(name, dataset, scores))
    return results


def markdown(results: list[dict]) -> str:
    """The comparison as the docs' table."""
    videos = list(results[0]["per_video"])
    head = " | ".join(f"{video} F1 / MCC" for video in videos)
    lines = [
        f"| recipe | {head} | Brier | recall @ P≥0.99 |",
        "|---|" + "---|" * (len(videos) + 2),
    ]
    for result in results:
        cells = [f"{f1:.3f} / {mcc:.3f}" for f1, mcc in result["per_video"].values()]
        lines.append(
            f"| {result['recipe']} | "
            + " | ".join(cells)
            + f" | {result['brier']:.4f} | {result['recall_at_precision']:.3f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(prog="python -m research.bounded_quality", description=__doc__)
    parser.add_argument(
        "--fractions",
        type=float,
        nargs="*",
        default=list(FRACTIONS),
        help="sample sizes to try, as fractions of each training fold (default: 0.5 0.25)",
    )
    args = parser.parse_args(argv)
    results = compare(args.fractions)
    print(markdown(results))
    same = np.array_equal(results[0]["scores"], results[1]["scores"])
    print(f"\nchunked with every row in its sample scores exactly as in memory: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
