"""Quality figures: the chunked fit's leave-one-source-out table against the in-memory fit's.

Both in the same run (research/bounded_quality.py). The chunked fit with every row in its
sample is what a retrain does up to model.chunked.SAMPLE_ROWS labels, and must equal the
in-memory fit; the fractions show what a sample smaller than the rows costs at the corpora's
scale, reported without a target.
"""

from bench.figures import Figure, info
from research.bounded_quality import compare

# (name, key, whether higher is better)
COLUMNS = (
    ("worst-video MCC at 0.5", "worst_mcc", True),
    ("Brier", "brier", False),
    ("recall at precision >= 0.99", "recall_at_precision", True),
)


def figures() -> list[Figure]:
    """Worst-video MCC, Brier and recall at precision 0.99 of each chunked recipe against the
    in-memory recipe's, measured now."""
    baseline, *chunked = compare()
    results = []
    for recipe in chunked:
        for label, key, higher in COLUMNS:
            value, base = recipe[key], baseline[key]
            figure = info(f"{label}, {recipe['recipe']}", value, "", baseline=round(base, 4))
            if recipe is chunked[0]:
                figure.target = "equal or better than in memory"
                figure.ok = bool(value >= base if higher else value <= base)
            results.append(figure)
    return results
