"""Scoring figures: warm single-comment latency on the serving path, and batch throughput.

The baseline, measured in the same run, is sklearn's own `predict_proba` on a
one-row list through the same fitted pipeline: the straightforward way to score.
"""

import time
from collections.abc import Callable

import numpy as np

from bench import synthetic
from bench.figures import Figure, at_most, info
from model import Classifier

P50_TARGET_US = 400.0
P99_TARGET_US = 1000.0


def records(count: int) -> list[dict]:
    """Real comments of typical length, each given a reader profile as the service sends it."""
    corpus = synthetic.corpus().records
    return [
        dict(corpus[i % len(corpus)], author_email=f"reader{i}@example.org", post_id="post")
        for i in range(count)
    ]


def latencies_us(call: Callable[[dict], object], batch: list[dict]) -> np.ndarray:
    """Microseconds each warm call took, one record at a time."""
    for record in batch[:100]:
        call(record)
    timings = np.empty(len(batch))
    clock = time.perf_counter
    for index, record in enumerate(batch):
        start = clock()
        call(record)
        timings[index] = clock() - start
    return timings * 1e6


def throughput(classifier: Classifier, batch: list[dict], chunk: int = 1000) -> float:
    """Comments per second scored by score_many in chunks."""
    started = time.perf_counter()
    for first in range(0, len(batch), chunk):
        classifier.score_many(batch[first : first + chunk])
    return len(batch) / (time.perf_counter() - started)


def figures(classifier: Classifier, quick: bool) -> list[Figure]:
    """Score latency (p50, p99) against the one-row predict_proba baseline, and throughput."""
    batch = records(1000 if quick else 20000)
    slow_calls = 100 if quick else 1000
    fast = latencies_us(classifier.score, batch)
    slow = latencies_us(lambda r: classifier.pipeline.predict_proba([r]), batch[:slow_calls])
    rate = throughput(classifier, batch)
    note = f"{len(batch)} calls; baseline: one-row predict_proba, {slow_calls} calls"
    return [
        _vs("score p50", np.percentile(fast, 50), np.percentile(slow, 50), P50_TARGET_US, note),
        _vs("score p99", np.percentile(fast, 99), np.percentile(slow, 99), P99_TARGET_US, ""),
        info("score_many throughput", rate, "comments/s", note="chunks of 1000"),
    ]


def _vs(name: str, value: float, baseline: float, limit: float, note: str) -> Figure:
    figure = at_most(name, value, "us", limit, note=note)
    figure.value = round(value, 1)
    figure.baseline, figure.ratio = round(baseline, 1), round(value / baseline, 3)
    return figure
