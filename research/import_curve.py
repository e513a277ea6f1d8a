"""What an imported history teaches, against how many labels it holds.

`python -m research.import_curve`: a site's history of readers and a campaign the shipped
corpora lack (research/site_history.py: "account manager" investment testimonials, 40 % of
the comments), imported as 0, 25, 50, 100 or 200 labels, oldest first. For each count the
retrain recipe runs on them exactly as `flask model retrain` does (a challenger judged on the
newest labels, refitted on all of them if it wins; 0 labels: the shipped model, since a
retrain needs at least 2), and the model that then serves scores the campaign in its fresh
wording and fresh readers — sentences, names and contacts from the other half of every pool,
which no imported label used — at the threshold it serves with; and, for contrast, later
campaign comments in the imported wording (new names, amounts, numbers and handles). Averaged
over seeds; prints a Markdown table, and the last line is one JSON object.
"""

import argparse
import json
import random
import sys

import numpy as np

from model import corpora
from research import import_recipe as recipe
from research import site_history

COUNTS = (0, 25, 50, 100, 200)
FRESH = 300


def tests(seed: int, count: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Comments no import holds, count of each: fresh campaign, fresh readers, later campaign."""
    rng = random.Random(f"tests-{seed}")
    fresh = [site_history.campaign(rng, site_history.FRESH) for _ in range(count)]
    readers = [site_history.reader(rng, site_history.FRESH) for _ in range(count)]
    later = [site_history.campaign(rng, site_history.HISTORY) for _ in range(count)]
    return fresh, readers, later


def one_run(labels: list[dict], unseen: tuple, champion, corpus, chosen) -> dict:
    """Import labels, retrain as the service would, and route the comments no import holds."""
    served, threshold, promoted = champion, champion.threshold, None
    if len(labels) >= 2:
        after = recipe.run(corpus, labels, champion, chosen)
        served, threshold, promoted = after.served(champion), after.threshold, after.promoted
    fresh, readers, later = (recipe.scores(served, records) >= threshold for records in unseen)
    return {
        "recall": float(fresh.mean()),
        "readers_to_spam": int(readers.sum()),
        "recall_later": float(later.mean()),
        "promoted": promoted,
    }


def curve(counts, seeds: int, size: int, champion) -> list[dict]:
    """Mean fresh-campaign recall and readers routed to spam per label count."""
    chosen = recipe.options()
    corpus = corpora.load_all(chosen.corpora)
    streams = [list(site_history.campaign_and_readers(max(counts), seed)) for seed in range(seeds)]
    unseen = [tests(seed, size) for seed in range(seeds)]
    rows = []
    for count in counts:
        runs = [
            one_run(stream[:count], test, champion, corpus, chosen)
            for stream, test in zip(streams, unseen, strict=True)
        ]
        promoted = [run["promoted"] for run in runs if run["promoted"] is not None]
        rows.append(
            {
                "labels": count,
                "campaign_labels": float(np.mean([_spam(stream[:count]) for stream in streams])),
                "recall": float(np.mean([run["recall"] for run in runs])),
                "readers_to_spam": float(np.mean([run["readers_to_spam"] for run in runs])),
                "recall_later": float(np.mean([run["recall_later"] for run in runs])),
                "readers": size,
                "promoted": f"{sum(promoted)}/{len(promoted)}" if promoted else "-",
            }
        )
    return rows


def _spam(labels: list[dict]) -> int:
    """How many of the labels are spam."""
    return sum(item["label"] == "spam" for item in labels)


def table(rows: list[dict]) -> str:
    """Render the curve as Markdown."""
    lines = [
        "| imported labels | of them campaign | campaign recall, fresh wording | "
        "fresh readers routed to spam | campaign recall, later comments in the imported wording "
        "| promoted |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        share = row["readers_to_spam"] / row["readers"]
        lines.append(
            f"| {row['labels']} | {row['campaign_labels']:.0f} | {row['recall']:.3f} | "
            f"{row['readers_to_spam']:.1f} of {row['readers']} ({share:.1%}) | "
            f"{row['recall_later']:.3f} | {row['promoted']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Print the learning curve of an import; the last line is JSON."""
    parser = argparse.ArgumentParser(prog="python -m research.import_curve", description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="histories averaged (default 3)")
    parser.add_argument(
        "--counts", type=int, nargs="+", default=COUNTS, help="imported label counts"
    )
    parser.add_argument(
        "--fresh", type=int, default=FRESH, help=f"test comments of each kind (default {FRESH})"
    )
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.fresh < 1 or min(args.counts) < 0:
        parser.error("--seeds and --fresh must be at least 1, --counts at least 0")
    champion = recipe.champion()
    if champion is None:
        return recipe.fail("no model in MODEL_DIR: run make train first")
    rows = curve(sorted(args.counts), args.seeds, args.fresh, champion)
    print(f"champion {champion.version}, threshold {champion.threshold:.3f}, {args.seeds} seeds")
    print(table(rows))
    print(json.dumps({"champion": champion.version, "threshold": champion.threshold, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
