"""Recall on a new spam campaign against the number of moderators' labels.

`python -m research.learning_curve`: for each label count, moderators label that many
campaign comments (crypto-recovery scam replies mixed with readers' comments, research/campaign.py),
the retrain recipe runs on them exactly as `flask model retrain` does (judged on the newest
labels, refitted on all), and the model that then serves (the champion, if the challenger
lost) routes 400 later campaign comments it never saw, at the serving threshold.
Averaged over seeds; prints a Markdown table. research.import_curve asks the same of an
imported history, on fresh wording.
"""

import argparse
import sys

import numpy as np

from model import corpora
from research import campaign
from research import import_recipe as recipe

COUNTS = (10, 25, 50, 100, 200)
HELD_OUT = 400


def recall_precision(truth: np.ndarray, flagged: np.ndarray) -> tuple[float, float]:
    """Spam recall and precision of flags against the truth."""
    hits = int((truth & flagged).sum())
    return hits / max(int(truth.sum()), 1), hits / max(int(flagged.sum()), 1)


def one_run(count: int, seed: int, champion, corpus, options) -> dict:
    """Teach count labels from one campaign stream; score the later held-out comments."""
    stream = list(campaign.comments(count + HELD_OUT, seed=seed))
    taught, held_out = stream[:count], stream[count:]
    truth = recipe.truth(held_out).astype(bool)
    after = recipe.run(corpus, taught, champion, options)
    before, served = (
        recipe.scores(model, held_out) >= champion.threshold
        for model in (champion, after.served(champion))
    )
    return {
        "before": recall_precision(truth, before),
        "after": recall_precision(truth, served),
        "promoted": after.promoted,
    }


def main(argv=None) -> int:
    """Print recall and precision before and after retraining, per label count."""
    parser = argparse.ArgumentParser(prog="python -m research.learning_curve", description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    champion = recipe.champion()
    if champion is None:
        return recipe.fail("no model in MODEL_DIR: run make train first")
    options = recipe.options()
    corpus = corpora.load_all(options.corpora)
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
