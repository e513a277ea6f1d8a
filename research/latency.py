"""Measure in-process single-comment scoring latency of a trained model (p50, p99)."""

import argparse
import json
import sys
import time
from collections.abc import Sequence

import numpy as np

from model import artifact, corpora
from model.cli import add_model_arguments, load_chosen
from model.train import DATA_DIR, DEFAULT_FILES


def latencies(classifier: artifact.Classifier, records: list[dict], repeat: int) -> np.ndarray:
    """Return the seconds each warm score() call took, over repeat passes of the records."""
    for record in records[:200]:
        classifier.score(record)
    timings = []
    for _ in range(repeat):
        for record in records:
            start = time.perf_counter()
            classifier.score(record)
            timings.append(time.perf_counter() - start)
    return np.array(timings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark command line; the last stdout line is a JSON object."""
    parser = argparse.ArgumentParser(prog="python -m research.latency", description=__doc__)
    add_model_arguments(parser)
    parser.add_argument(
        "--repeat", type=int, default=3, help="passes over the comments (default: 3)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    classifier = load_chosen(args)
    if classifier is None:
        return 2
    loaded = time.perf_counter() - started
    # Real comments of typical length: the YouTube texts, given a made-up reader profile.
    records = [
        dict(record, author_email="reader@example.org", post_id="post")
        for record in corpora.load_all(DATA_DIR / name for name in DEFAULT_FILES).records
    ]
    timings = latencies(classifier, records, args.repeat) * 1e3
    result = {
        "model_version": classifier.version,
        "calls": len(timings),
        "mean_chars": round(float(np.mean([len(r["content"]) for r in records])), 1),
        "p50_ms": round(float(np.percentile(timings, 50)), 4),
        "p99_ms": round(float(np.percentile(timings, 99)), 4),
        "max_ms": round(float(timings.max()), 4),
        "load_s": round(loaded, 3),
        "artifact_bytes": classifier.manifest["size_bytes"],
    }
    print(
        f"{result['calls']} warm score() calls, {result['mean_chars']} chars on average: "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
