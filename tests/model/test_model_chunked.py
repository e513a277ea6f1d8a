"""A fit past its sample: the same features, the same objective, the same model kind."""

import multiprocessing

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from model import chunked, retrain, validation
from model.fastpath import FastScorer
from model.pipeline import serving_pipeline
from model.tfidf import Terms

NEWS = [
    {"content": "The council's figures say otherwise: www.example.gov/budget, page 12."},
    {"content": "EARN $$$ from home!!! whatsapp +1 555 0100", "author_url": "http://x.biz"},
    {"content": "", "author_email": "reader@example.org"},
    {"content": "Ünïcode  spaces\u00a0and\ttabs", "author_name": "Zoë"},
]


def rows_of(dataset) -> list[chunked.Row]:
    return list(retrain.corpus_rows(dataset))


@pytest.fixture(scope="module")
def small_sample(videos):
    """A chunked fit of the videos whose sample holds a quarter of them, in two processes."""
    chunk = chunked.CHUNK_ROWS
    chunked.CHUNK_ROWS = 150
    try:
        with chunked.Fit(workers=2, sample_rows=len(videos.labels) // 4) as fitting:
            pitch = NEWS[1]
            later = [chunked.Row(pitch, 1, 1.0), chunked.Row({**pitch, "author_name": "B"}, 1, 1.0)]
            pipeline = fitting.fit(serving_pipeline, rows_of(videos), print, later=later)
            yield fitting, pipeline, [chunk for chunk in fitting.spill.read()]
    finally:
        chunked.CHUNK_ROWS = chunk


def test_chunk_features_equal_the_pipelines_own(classifier, videos):
    records = videos.records + NEWS
    pipeline = classifier.pipeline

    fast = chunked.Features(pipeline)(records)

    exact = pipeline[:-1].transform(records)
    assert fast.shape == exact.shape
    assert abs(fast - exact).max() < 1e-12


@pytest.mark.parametrize(
    "options",
    [
        {"analyzer": "char_wb", "ngram_range": (1, 3)},
        {"analyzer": "char_wb", "ngram_range": (2, 4), "binary": True},
        {"analyzer": "word", "ngram_range": (1, 3), "sublinear_tf": False},
        {"analyzer": "char", "ngram_range": (2, 3), "sublinear_tf": True},
    ],
)
def test_terms_count_as_the_vectorizer_does(videos, options):
    texts = [record["content"] or "" for record in videos.records[:400]] + ["", "a", "Zoë Zoë"]
    vectorizer = TfidfVectorizer(min_df=2, **options).fit(texts)

    counted = Terms(vectorizer).matrix(texts)

    assert abs(counted - vectorizer.transform(texts)).max() < 1e-12


def test_a_fit_within_the_sample_is_model_trains_own(videos):
    with chunked.Fit(workers=1) as fitting:
        pipeline = fitting.fit(serving_pipeline, rows_of(videos), print)
        assert fitting.spill is None

    reference = validation.fit(serving_pipeline, videos)
    probes = videos.records[:200] + NEWS
    assert np.array_equal(pipeline.predict_proba(probes), reference.predict_proba(probes))
    assert (fitting.rows, fitting.spam) == (len(videos.labels), sum(videos.labels))


def test_past_the_sample_every_row_is_spilled_and_counted(small_sample, videos):
    fitting, _, chunks = small_sample

    assert fitting.spill.rows == len(videos.labels) == sum(m.shape[0] for m, _, _ in chunks)
    assert max(m.shape[0] for m, _, _ in chunks) == 150
    assert [int(y) for _, labels, _ in chunks for y in labels] == videos.labels
    assert (fitting.rows, fitting.spam) == (len(videos.labels), sum(videos.labels))


def test_refining_reaches_the_optimum_sklearn_finds_on_all_rows(small_sample):
    fitting, pipeline, chunks = small_sample
    matrix = np.vstack([m.toarray() for m, _, _ in chunks])
    labels = np.concatenate([y for _, y, _ in chunks])
    weights = np.concatenate([w for _, _, w in chunks])
    # Both solvers pushed well past the default tolerance, so they must meet at one optimum.
    strict = LogisticRegression(C=pipeline[-1].C, tol=1e-10, max_iter=10_000)
    strict.fit(matrix, labels, sample_weight=weights)
    mine = LogisticRegression(C=pipeline[-1].C, tol=1e-10, max_iter=10_000)
    mine.coef_, mine.intercept_ = pipeline[-1].coef_.copy(), pipeline[-1].intercept_.copy()
    mine.classes_ = pipeline[-1].classes_

    chunked.refine(mine, fitting.spill, lambda line: None)

    def objective(model):
        margin = matrix @ model.coef_.ravel() + model.intercept_[0]
        loss = weights @ (np.logaddexp(0, margin) - labels * margin) / weights.sum()
        return loss + model.coef_.ravel() @ model.coef_.ravel() / (2 * model.C * weights.sum())

    assert objective(mine) == pytest.approx(objective(strict), rel=1e-6)
    np.testing.assert_allclose(
        mine.predict_proba(matrix), strict.predict_proba(matrix), rtol=0, atol=1e-3
    )


def test_a_chunked_fit_serves_through_the_fast_path_exactly(small_sample, videos):
    _, pipeline, _ = small_sample
    records = videos.records[::5] + NEWS

    fast = FastScorer(pipeline)

    exact = pipeline.predict_proba(records)[:, 1]
    np.testing.assert_allclose([fast(r) for r in records], exact, rtol=0, atol=1e-9)


def test_extending_a_spilled_fit_takes_in_the_rows_kept_for_later(small_sample, videos):
    fitting, pipeline, _ = small_sample
    before = pipeline[-1].coef_.copy()
    words = pipeline.named_steps["features"].named_transformers_["words"].vocabulary_
    assert "whatsapp" in words  # a word of the later rows only: in the vocabulary's sample
    assert fitting.spill.later_rows == 2 and fitting.rows == len(videos.labels)
    unlearnt = pipeline.predict_proba(NEWS[1:2])[0, 1]

    fitting.extend(print)

    assert fitting.spill.rows == len(videos.labels) + 2 and fitting.spill.later_rows == 0
    assert fitting.spam == sum(videos.labels) + 2
    assert not np.array_equal(pipeline[-1].coef_, before)
    assert pipeline.predict_proba(NEWS[1:2])[0, 1] > unlearnt + 0.05


def test_the_reservoir_is_uniform_and_repeatable():
    def draw(count, size, seed=0):
        sample = chunked.Reservoir(size, seed)
        for item in range(count):
            sample.offer(item)
        return sample.items

    draws = [draw(1000, 100, seed) for seed in range(200)]

    assert draw(1000, 100, seed=3) == draws[3]
    assert draw(5, 100) == [0, 1, 2, 3, 4]
    picked = np.bincount(np.concatenate(draws), minlength=1000) / 200
    # Each item is kept with probability 0.1: the first and last tenths alike.
    assert abs(picked[:100].mean() - 0.1) < 0.02 and abs(picked[-100:].mean() - 0.1) < 0.02


def test_a_fit_leaves_no_spill_and_no_worker_behind(videos):
    before = set(multiprocessing.active_children())  # another test's fit may still be open
    with chunked.Fit(workers=2, sample_rows=300) as fitting:
        fitting.fit(serving_pipeline, rows_of(videos), print)
        folder = fitting._folder
        assert folder.is_dir() and len(list(folder.glob("*.npz"))) == len(fitting.spill.chunks)
        assert not list(folder.glob("rows-*.pickle"))  # each kept chunk removed once featurized
        assert len(set(multiprocessing.active_children()) - before) == 2

    assert not folder.exists()
    assert set(multiprocessing.active_children()) <= before


def test_a_scorer_gives_the_pipelines_probabilities(classifier, videos):
    records = videos.records[:500] + NEWS

    scores = chunked.scorer(classifier.pipeline)(records)

    exact = classifier.pipeline.predict_proba(records)[:, 1]
    np.testing.assert_allclose(scores, exact, rtol=0, atol=1e-12)


def test_features_from_a_head_start_equal_the_pipelines_own(classifier, videos):
    records = videos.records[:300] + NEWS
    pipeline = classifier.pipeline
    features = chunked.Features(pipeline)
    unfitted = serving_pipeline()

    ahead = chunked.prepare(unfitted.named_steps["frame"], chunked.fixed_blocks(unfitted), records)

    assert set(ahead["done"]) == {"calls", "signals"}
    exact = pipeline[:-1].transform(records)
    assert abs(features.matrix(ahead["frame"], ahead["done"]) - exact).max() < 1e-12
