"""Recall on a new spam campaign against the number of moderators' labels.

`python -m research.learning_curve`: for each label count, moderators label that many
campaign comments (crypto-recovery scam replies mixed with readers' comments, research/campaign.py),
the retrain recipe runs on them exactly as `flask model retrain` does (judged on the newest
labels, refitted on all), and the result is scored on 400 later campaign comments it never saw,
at the threshold it would serve with. Averaged over seeds; prints a Markdown table.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from model import corpora, retrain
from model.artifact import signing_key
from research import campaign
from service import scoring
from service.config import INSTANCE, Config

COUNTS = (10, 25, 50, 100, 200)
HELD_OUT = 400


def recall_precision(truth: np.ndarray, flagged: np.ndarray) -> tuple[float, float]:
    """Spam recall and precision of flags against the truth."""
    hits = int((truth & flagged).sum())
    return hits / max(int(truth.sum()), 1), hits / max(int(flagged.sum()), 1)


def _quiet(message: str) -> None:
    """Drop progress lines: across fifteen runs they are noise."""


def one_run(count: int, seed: int, champion, corpus, options) -> dict:
    """Teach count labels from one campaign stream; score the later held-out comments."""
    stream = list(campaign.comments(count + HELD_OUT, seed=seed))
    taught, held_out = stream[:count], stream[count:]
    truth = np.array([item["label"] == "spam" for item in held_out])
    evaluation, threshold, _ = retrain.evaluate(corpus, taught, champion, options, _quiet)
    final = retrain.fit(corpus, taught, options, _quiet)
    scores = final.predict_proba([corpora.as_record(item) for item in held_out])[:, 1]
    before = np.asarray(champion.score_many(corpora.as_record(i) for i in held_out))
    return {
        "before": recall_precision(truth, before >= champion.threshold),
        "after": recall_precision(truth, scores >= threshold),
        "promoted": evaluation.better,
    }


def main(argv=None) -> int:
    """Print recall and precision before and after retraining, per label count."""
    parser = argparse.ArgumentParser(prog="python -m research.learning_curve", description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    champion = scoring.load(Path(Config.MODEL_DIR), signing_key(INSTANCE / "secret_key"))
    if champion is None:
        print("no model in MODEL_DIR: run make train first", file=sys.stderr)
        return 2
    corpus = corpora.load_all(Config.RETRAIN_CORPORA)
    options = retrain.Options(corpora=Config.RETRAIN_CORPORA)
    print(f"champion {champion.version}, threshold {champion.threshold:.3f}, {args.seeds} seeds")
    print("| labels | recall before | recall after | precision after | promoted |")
    print("|---|---|---|---|---|")
    for count in COUNTS:
        runs = [one_run(count, seed, champion, corpus, options) for seed in range(args.seeds)]
        before = np.mean([run["before"][0] for run in runs])
        recall, precision = np.mean([run["after"] for run in runs], axis=0)
        promoted = sum(run["promoted"] for run in runs)
        print(
            f"| {count} | {before:.3f} | {recall:.3f} | {precision:.3f} | {promoted}/{len(runs)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
