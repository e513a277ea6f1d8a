"""Fit the serving pipeline on more labelled rows than memory holds, a chunk at a time.

Rows that all fit in the sample (SAMPLE_ROWS) are fitted as model.train fits them: the whole
pipeline, in memory, by sklearn. More rows are fitted in bounded memory, in three steps:

1. the rows are read once: a uniform sample of SAMPLE_ROWS is drawn by reservoir sampling
   (seeded, so a retrain is repeatable) while every row is kept in a temporary folder, CHUNK_ROWS
   to a file; the feature transformers (the TF-IDF vocabularies and IDF, the domain tokens) are
   fitted on the sample's texts plus those of the newest rows a refit will add, and a first
   logistic regression on the sample;
2. every kept chunk is turned into features on every core the fit may use, each worker reading
   its chunk from the folder and writing its features back, so a process holds one chunk,
   never the whole matrix, and the rows are read from their source only once; the blocks that
   learn nothing (FIXED) are computed as each chunk is written, while the rows are still being
   read and the sample fitted on one core;
3. the logistic regression is refined, from the sample's fit, by L-BFGS on the objective sklearn
   minimises over all rows (the weighted mean log loss plus the L2 penalty of C), each step
   one pass over the spilled chunks, with sklearn's own stopping rule.

The result is the same Pipeline holding the same LogisticRegression, so the artifact, the fast
path and the probability are those of any other fit. docs/model.md ("A whole history in bounded
memory") has the figures.
"""

import os
import pickle
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.special import expit
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from model.features import CallsToAction, Signals
from model.pipeline import RANDOM_STATE
from model.tfidf import Terms

# Rows fitted in memory: every fit up to this size is exactly model.train's; a larger one learns
# its vocabulary from a sample this big (docs/model.md: 1.3 GiB at its peak, 1.6 GiB with the
# workers, whatever the number of rows).
SAMPLE_ROWS = 50_000
# Rows turned into features and spilled at a time, per process.
CHUNK_ROWS = 10_000
# The most processes that turn rows into features (each holds a chunk and the vocabularies).
MAX_PROCESSES = 4

Log = Callable[[str], None]


@dataclass(frozen=True)
class Row:
    """One labelled training row: a record, its label (1 spam, 0 ham) and its weight."""

    record: dict
    label: int
    weight: float


def processes() -> int:
    """The processes a chunked fit uses: the cores this process may run on, at most 4."""
    return max(1, min(MAX_PROCESSES, len(os.sched_getaffinity(0))))


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to size consecutive items."""
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


class Reservoir:
    """A uniform sample of at most size of the items offered; in order while all are kept."""

    def __init__(self, size: int, seed: int = RANDOM_STATE):
        self.size, self.items, self.seen = size, [], 0
        self._rng = random.Random(seed)

    def offer(self, item) -> None:
        """Keep the item with probability size / items offered so far, in a random slot."""
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        elif (slot := self._rng.randrange(self.seen)) < self.size:
            self.items[slot] = item


def fit_in_memory(build: Callable[[], Pipeline], rows: list[Row]) -> Pipeline:
    """Fit a fresh pipeline on rows held in memory, with their weights."""
    return build().fit(
        [row.record for row in rows],
        np.array([row.label for row in rows]),
        classifier__sample_weight=np.array([row.weight for row in rows]),
    )


def fit_sample(build: Callable[[], Pipeline], sample: list[tuple[Row, bool]]) -> Pipeline:
    """Fit a fresh pipeline's feature steps on every sampled row's text, and its classifier on
    the sampled rows marked for training (the others are texts only, labels unseen)."""
    pipeline = build()
    matrix = pipeline[:-1].fit_transform([row.record for row, _ in sample])
    trains = np.array([training for _, training in sample])
    rows = [row for row, training in sample if training]
    pipeline[-1].fit(
        matrix[trains],
        np.array([row.label for row in rows]),
        sample_weight=np.array([row.weight for row in rows]),
    )
    return pipeline


# Feature blocks that learn nothing (fixed functions of a row): workers compute them while the
# rows are still being read and the vocabulary fitted, when a core would otherwise be idle.
FIXED = (Signals, CallsToAction)


def fixed_blocks(pipeline: Pipeline) -> dict[str, tuple[object, object]]:
    """The blocks of a pipeline, fitted or not, whose output needs no fit: name -> (block,
    columns)."""
    columns: ColumnTransformer = pipeline.named_steps["features"]
    return {name: (t, at) for name, t, at in columns.transformers if isinstance(t, FIXED)}


def prepare(frame_step, fixed: dict, records: list[dict]) -> dict:
    """A chunk's record frame and its fixed blocks' output, before any vocabulary is fitted."""
    frame = frame_step.transform(records)
    return {"frame": frame, "done": {n: t.transform(frame[:, at]) for n, (t, at) in fixed.items()}}


class Features:
    """A fitted pipeline's feature steps, applied to many records at once.

    Equal to `pipeline[:-1].transform` (tested), with the TF-IDF blocks counted by model.tfidf.
    """

    def __init__(self, pipeline: Pipeline):
        self.frame = pipeline.named_steps["frame"]
        columns: ColumnTransformer = pipeline.named_steps["features"]
        self.blocks = [
            (name, Terms(t) if isinstance(t, TfidfVectorizer) else t, at)
            for name, t, at in columns.transformers_
            if columns.output_indices_[name].stop > columns.output_indices_[name].start
        ]

    def __call__(self, records: list[dict]) -> sp.csr_matrix:
        """Return the classifier's input for records."""
        return self.matrix(self.frame.transform(records))

    def matrix(self, frame: np.ndarray, done: dict | None = None) -> sp.csr_matrix:
        """Return the classifier's input for a record frame, taking the blocks already
        computed from done (name -> output)."""
        done = done or {}
        blocks = []
        for name, block, at in self.blocks:
            if name in done:
                blocks.append(sp.csr_matrix(done[name]))
            elif isinstance(block, Terms):
                blocks.append(block.matrix(frame[:, at]))
            else:
                blocks.append(sp.csr_matrix(block.transform(frame[:, at])))
        return sp.hstack(blocks, format="csr")


def scorer(pipeline: Pipeline) -> Callable[[list[dict]], np.ndarray]:
    """Return a function scoring batches of records with a fitted pipeline: its spam
    probabilities, the features counted by model.tfidf (3x faster than predict_proba)."""
    features = Features(pipeline)
    return lambda records: pipeline[-1].predict_proba(features(records))[:, 1]


class Spill:
    """Rows kept on disk a chunk per file, then turned into features by a fitted pipeline."""

    def __init__(self, folder: Path, workers: int, unfitted: Pipeline):
        self.folder, self.workers = folder, workers
        # The chunks the fit learns from, their rows and total weight; then those kept for a
        # later extension of the fit (in the vocabulary's sample, not yet in the objective).
        self.chunks: list[Path] = []
        self.rows, self.weight = 0, 0.0
        self.later: list[Path] = []
        self.later_rows, self.later_weight = 0, 0.0
        self._kept: list[tuple[Path, bool]] = []
        self._prepared: dict[Path, Future] = {}
        self._features: Features | None = None
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1:
            # Spawned, not forked: a worker starts small rather than sharing this process's heap.
            head_start = (unfitted.named_steps["frame"], fixed_blocks(unfitted))
            self._pool = ProcessPoolExecutor(
                workers, get_context("spawn"), _start_worker, (pickle.dumps(head_start),)
            )

    def keep(self, batch: list[Row], later: bool = False) -> None:
        """Write a chunk of rows to disk, to be turned into features later; later: rows the
        fit takes in only when extended."""
        number = len(self.chunks) + len(self.later) + len(self._kept)
        path = self.folder / f"rows-{number:06d}.pickle"
        chunk = {
            "records": [row.record for row in batch],
            "labels": [row.label for row in batch],
            "weights": [row.weight for row in batch],
        }
        with path.open("wb") as file:
            pickle.dump(chunk, file, protocol=5)
        self._kept.append((path, later))
        if self._pool is not None:
            self._prepared[path] = self._pool.submit(_prepare_in_worker, path)
        weight = sum(row.weight for row in batch)
        if later:
            self.later_rows += len(batch)
            self.later_weight += weight
        else:
            self.rows += len(batch)
            self.weight += weight

    def admit(self) -> None:
        """Take the rows kept for later into the fit."""
        self.chunks += self.later
        self.rows += self.later_rows
        self.weight += self.later_weight
        self.later, self.later_rows, self.later_weight = [], 0, 0.0

    def featurize(self, pipeline: Pipeline, log: Log) -> None:
        """Turn every kept chunk into features with the pipeline's fitted steps, a chunk per
        task; the first call fixes the steps, later calls add chunks with the same ones."""
        if self._features is None:
            self._features = Features(pipeline)
            # Workers read the fitted steps from a file once each, not with every task.
            with (self.folder / "features.pickle").open("wb") as file:
                pickle.dump(self._features, file, protocol=5)
        started, tasks = time.perf_counter(), []
        for kept, later in self._kept:
            path = kept.with_suffix(".npz")
            (self.later if later else self.chunks).append(path)
            tasks.append(self._submit(kept, path))
        self._kept = []
        for number, task in enumerate(tasks, start=1):
            task.result()
            if number % 10 == 0 or number == len(tasks):
                took = time.perf_counter() - started
                log(f"features of {number} of {len(tasks)} chunks of rows ({took:.0f}s)")

    def _submit(self, kept: Path, path: Path) -> Future:
        """Turn one chunk into features: in a worker process when there are several (once its
        head start is done), else here."""
        if self._pool is None:
            done: Future = Future()
            done.set_result(_spill(self._features, kept, path))
            return done
        if (head_start := self._prepared.pop(kept, None)) is not None:
            head_start.result()
        return self._pool.submit(_spill_in_worker, self.folder / "features.pickle", kept, path)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def read(self) -> Iterator[tuple[sp.csr_matrix, np.ndarray, np.ndarray]]:
        """Yield each chunk's features, labels and weights, in the order they were kept."""
        for path in self.chunks:
            with np.load(path) as arrays:
                shape = tuple(arrays["shape"])
                matrix = sp.csr_matrix(
                    (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
                )
                yield matrix, arrays["labels"], arrays["weights"]


_worker_head_start: tuple | None = None
_worker_features: dict[Path, Features] = {}


def _start_worker(pickled: bytes) -> None:
    """Receive the frame step and the fixed blocks once per worker process."""
    global _worker_head_start
    _worker_head_start = pickle.loads(pickled)


def _prepare_in_worker(kept: Path) -> None:
    """Replace a kept chunk's records by its frame and fixed blocks' output."""
    with kept.open("rb") as file:
        chunk = pickle.load(file)
    chunk.update(prepare(*_worker_head_start, chunk.pop("records")))
    written = kept.with_suffix(".prepared")
    with written.open("wb") as file:
        pickle.dump(chunk, file, protocol=5)
    written.replace(kept)


def _spill_in_worker(features: Path, kept: Path, path: Path) -> None:
    """Turn one chunk into features with the fitted steps in the features file."""
    if features not in _worker_features:
        with features.open("rb") as file:
            _worker_features[features] = pickle.load(file)
    _spill(_worker_features[features], kept, path)


def _spill(features: Features, kept: Path, path: Path) -> None:
    """Read a kept chunk (its records, or its frame and fixed blocks), write its features
    (float32), labels and weights to path, and remove the chunk."""
    with kept.open("rb") as file:
        chunk = pickle.load(file)
    if "frame" in chunk:
        matrix = features.matrix(chunk["frame"], chunk["done"])
    else:
        matrix = features(chunk["records"])
    np.savez(
        path,
        data=matrix.data.astype(np.float32),
        indices=matrix.indices,
        indptr=matrix.indptr,
        shape=np.array(matrix.shape),
        labels=np.array(chunk["labels"], dtype=np.int8),
        weights=np.array(chunk["weights"]),
    )
    kept.unlink()


def refine(classifier: LogisticRegression, spill: Spill, log: Log) -> LogisticRegression:
    """Minimise the classifier's own objective over every spilled row, from its coefficients.

    The objective is sklearn's for lbfgs: sum(w * log loss) / sum(w) + ||coef||^2 / (2 C sum(w)),
    the intercept unpenalised; the options are sklearn's (gtol = tol, ftol = 64 eps, maxls 50).
    """
    if classifier.penalty not in ("l2", "deprecated") or getattr(classifier, "l1_ratio", 0):
        raise TypeError("a chunked fit refines an L2 logistic regression only")
    strength = 1.0 / (classifier.C * spill.weight)
    started, passes = time.perf_counter(), 0

    def loss_and_gradient(packed: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal passes
        coef, intercept = packed[:-1], packed[-1]
        loss, gradient = 0.0, np.zeros_like(packed)
        for matrix, labels, weights in spill.read():
            margin = matrix @ coef + intercept
            # log(1 + e^m) - y m, weighted; logaddexp keeps it finite for any margin.
            loss += float(weights @ (np.logaddexp(0.0, margin) - labels * margin))
            residual = weights * (expit(margin) - labels)
            gradient[:-1] += matrix.T @ residual
            gradient[-1] += residual.sum()
        passes += 1
        loss = loss / spill.weight + 0.5 * strength * float(coef @ coef)
        gradient /= spill.weight
        gradient[:-1] += strength * coef
        return loss, gradient

    def progress(intermediate_result: optimize.OptimizeResult) -> None:
        # scipy passes the state only to a parameter of exactly this name.
        log(
            f"refining on {spill.rows:,} rows: pass {passes}, "
            f"loss {intermediate_result.fun:.6f} "
            f"({time.perf_counter() - started:.0f}s)"
        )

    start = np.append(classifier.coef_.ravel(), classifier.intercept_[0])
    result = optimize.minimize(
        loss_and_gradient,
        start,
        method="L-BFGS-B",
        jac=True,
        callback=progress,
        options={
            "maxiter": classifier.max_iter,
            "maxls": 50,
            "gtol": classifier.tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    classifier.coef_ = result.x[:-1].reshape(1, -1)
    classifier.intercept_ = result.x[-1:].copy()
    classifier.n_iter_ = np.array([result.nit], dtype=np.int32)
    log(f"refined in {result.nit} steps, {passes} passes: {result.message}")
    return classifier


class Fit:
    """A chunked fit's state: the fitted pipeline, the rows it learnt from (how many, how many
    spam) and, once its rows outgrew the sample, their spill.

    Use as a context manager: the spilled chunks and worker processes go away at its end.
    """

    def __init__(self, workers: int | None = None, sample_rows: int = SAMPLE_ROWS):
        self.workers = workers or processes()
        self.sample_rows = sample_rows
        self.pipeline: Pipeline | None = None
        self.spill: Spill | None = None
        self.rows = self.spam = 0
        self._later_spam = 0
        self._folder: Path | None = None

    def __enter__(self) -> "Fit":
        return self

    def __exit__(self, *exc) -> None:
        self._discard()

    def _discard(self) -> None:
        """Remove the spill, if any, and stop its workers."""
        if self.spill is not None:
            self.spill.close()
            self.spill = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _counted(self, rows: Iterable[Row]) -> Iterator[Row]:
        """Pass rows through, adding them to the counts."""
        for row in rows:
            self.rows += 1
            self.spam += row.label
            yield row

    def fit(
        self,
        build: Callable[[], Pipeline],
        rows: Iterable[Row],
        log: Log,
        later: Iterable[Row] = (),
    ) -> Pipeline:
        """Fit build's pipeline afresh on every row, reading them once.

        later: rows to be added by `extend` (the newest, a few thousand). A fit that spills
        reads them too, their texts all in the vocabulary's sample (their labels not learnt
        until extended); one that fits in memory never reads them: it is refitted afresh.
        """
        self._discard()
        self.rows = self.spam = 0
        started, sample, batch = time.perf_counter(), Reservoir(self.sample_rows), []
        for row in self._counted(rows):
            if self.spill is None and sample.seen == self.sample_rows:
                # This row outgrows the sample, which still holds every row before it, in order.
                self._folder = Path(tempfile.mkdtemp(prefix="moderato-fit-"))
                self.spill = Spill(self._folder, self.workers, build())
                for kept in batched(sample.items, CHUNK_ROWS):
                    self.spill.keep([row for row, _ in kept])
            sample.offer((row, True))
            if self.spill is not None:
                batch.append(row)
                if len(batch) == CHUNK_ROWS:
                    self.spill.keep(batch)
                    batch = []
        if self.spill is None:
            self.pipeline = fit_in_memory(build, [row for row, _ in sample.items])
            return self.pipeline
        if batch:
            self.spill.keep(batch)
        # The newest rows' texts are all in the vocabulary's sample (up to a tenth of it): the
        # words of the campaign moderators are fighting now, too rare yet to be sampled.
        self._later_spam, recent = 0, Reservoir(self.sample_rows // 10)
        for chunk in batched(later, CHUNK_ROWS):
            for row in chunk:
                recent.offer((row, False))
                self._later_spam += row.label
            self.spill.keep(chunk, later=True)
        log(
            f"read {sample.seen + recent.seen:,} rows in {time.perf_counter() - started:.0f}s; "
            f"vocabulary and a first fit from a sample of {len(sample.items):,} and the texts "
            f"of the {len(recent.items):,} newest"
        )
        started = time.perf_counter()
        self.pipeline = fit_sample(build, sample.items + recent.items)
        del sample, recent
        log(f"sample fitted in {time.perf_counter() - started:.0f}s")
        self.spill.featurize(self.pipeline, log)
        refine(self.pipeline.named_steps["classifier"], self.spill, log)
        return self.pipeline

    def extend(self, log: Log) -> Pipeline:
        """Take the rows kept for later into a spilled fit and refine its classifier from where
        it stands."""
        if self.spill is None:
            raise ValueError("only a fit that spilled its rows can be extended")
        self.rows += self.spill.later_rows
        self.spam += self._later_spam
        self._later_spam = 0
        self.spill.admit()
        refine(self.pipeline.named_steps["classifier"], self.spill, log)
        return self.pipeline
