"""Self-training on unlabelled comments (model/selftrain.py)."""

import numpy as np
from support import SECRET

from model import fastpath, selftrain, validation
from model.pipeline import serving_pipeline

CAMPAIGN = [
    {"content": f"Recovered my {coin} thanks to agent {name}, WhatsApp +1 555 01{n:02d} now"}
    for n, (coin, name) in enumerate(
        [("BTC", "Mark"), ("ETH", "Lucy"), ("USDT", "Ray"), ("BTC", "Ann"), ("ETH", "Tom")] * 4
    )
]


def test_without_unlabelled_comments_it_is_the_plain_fit(videos):
    rows = np.arange(0, len(videos.labels), 4)
    plain = validation.fit(serving_pipeline, videos, rows)
    trained = selftrain.self_train(serving_pipeline, videos, [], rows=rows)
    sample = videos.records[:50]
    assert np.allclose(plain.predict_proba(sample), trained.predict_proba(sample))


def test_it_refits_on_confident_unlabelled_comments_and_the_fast_path_scores_it(videos):
    rows = np.arange(0, len(videos.labels), 4)
    unlabelled = [videos.records[i] for i in range(1, len(videos.labels), 8)] + CAMPAIGN
    plain = validation.fit(serving_pipeline, videos, rows)
    trained = selftrain.self_train(serving_pipeline, videos, unlabelled, rows=rows)
    before = plain.predict_proba(unlabelled)[:, 1]
    after = trained.predict_proba(unlabelled)[:, 1]
    assert not np.allclose(before, after)
    # Pseudo-labels only sharpen what the model was sure about: sure spam stays spam.
    sure_spam = before >= selftrain.HIGH
    assert (after[sure_spam] >= 0.5).all()
    fast = fastpath.FastScorer(trained)
    assert np.allclose([fast(record) for record in unlabelled], after, atol=1e-9)


def test_training_with_unlabelled_comments_says_so_in_the_manifest(videos, tmp_path):
    from model import artifact, corpora, train

    rows = range(0, len(videos.labels), 4)
    small = corpora.Dataset(
        records=[videos.records[i] for i in rows],
        labels=[videos.labels[i] for i in rows],
        groups=[videos.groups[i] for i in rows],
        weights=[videos.weights[i] for i in rows],
        sources=videos.sources,
    )
    folder = train.train(small, tmp_path, SECRET, log=lambda message: None, unlabelled=CAMPAIGN)
    manifest = artifact.load_artifact(folder, SECRET).manifest
    assert manifest["unlabelled_rows"] == len(CAMPAIGN)
    assert "self-trained on its held-out source's texts" in manifest["metrics"]["protocol"]
