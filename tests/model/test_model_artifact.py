"""Artifacts are versioned, verified before unpickling, and scored fast and exactly."""

import json
import shutil
import sys
import time
from collections import Counter

import numpy as np
import pytest
from corpus_files import DATA
from support import SECRET, plant

import model
from model import artifact, corpora

PROBES = [
    {},
    {"content": None, "author_name": None},
    {
        "content": "ch3ck my channel v1agra http://bit.ly/x <br />NOW!!!\ufeff",
        "author_name": "FREE money www.spam.com",
        "author_email": "a1@spam.com",
        "author_url": "http://bit.ly/y",
        "post_id": "p1",
    },
    {"content": "Ünïcödé ☃ 😀 &amp; &#39;quotes&#39;", "author_name": "Ann"},
    # Repeated n-grams (sublinear tf), a word longer than the cap, and a text cut at the cap.
    {"content": "subscribe subscribe SUBSCRIBE!!! " * 20 + "a" * 1500},
    {"content": "check   my\tchannel\u00a0now http://x.co/" + "spam " * 400},
]


def test_the_version_folder_holds_artifact_manifest_signature_report_and_latest(
    models_dir, classifier
):
    folder = model.latest_version_dir(models_dir)
    assert {path.name for path in folder.iterdir()} == {
        "model.joblib",
        "manifest.json",
        "signature",
        "report.png",
    }
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == folder.name == classifier.version
    assert manifest["sha256"] == artifact.sha256((folder / "model.joblib").read_bytes())
    assert manifest["libraries"] == artifact.library_versions()
    assert [source["rows"] for source in manifest["data"]] == [350, 350, 438]
    assert 0.0 < manifest["threshold"] <= 1.0 and manifest["threshold"] == classifier.threshold
    assert manifest["metrics"]["pooled"]["precision"] >= 0.99
    assert set(manifest["metrics"]["per_source"]) == {
        "Youtube01-Psy",
        "Youtube02-KatyPerry",
        "Youtube03-LMFAO",
    }


def test_a_new_manifest_names_its_bytes_and_a_redumped_model_keeps_its_name(classifier):
    fresh = artifact.new_manifest(b"new bytes", {"threshold": 0.5})
    redumped = artifact.new_manifest(b"re-dumped bytes", classifier.manifest)

    assert fresh["version"].endswith("-" + artifact.sha256(b"new bytes")[:8])
    assert fresh["libraries"] == artifact.library_versions()
    assert {key: redumped[key] for key in ("version", "trained_at", "threshold", "metrics")} == {
        key: classifier.manifest[key] for key in ("version", "trained_at", "threshold", "metrics")
    }
    assert redumped["sha256"] == artifact.sha256(b"re-dumped bytes")
    assert redumped["size_bytes"] == len(b"re-dumped bytes")


def test_latest_version_dir_is_none_without_a_model(tmp_path):
    assert model.latest_version_dir(tmp_path) is None
    (tmp_path / "LATEST").write_text("gone\n")
    assert model.latest_version_dir(tmp_path) is None


def test_the_fast_path_equals_predict_proba(classifier, videos):
    sms = corpora.load(DATA / "SMSSpamCollection")
    records = videos.records + sms.records[:1500] + PROBES
    fast = np.array([classifier.score(record) for record in records])
    exact = classifier.pipeline.predict_proba(records)[:, 1]
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-9)
    assert classifier.score_many(records) == pytest.approx(list(exact), abs=0)
    assert classifier.score_many([]) == []


def test_the_fast_path_is_exact_whatever_its_word_cache_holds(classifier, videos, monkeypatch):
    from model import fastpath, tfidf

    monkeypatch.setattr(tfidf, "WORD_CACHE_SIZE", 3)
    records = videos.records[:300] + PROBES
    fresh = fastpath.FastScorer(classifier.pipeline)
    exact = classifier.pipeline.predict_proba(records)[:, 1]
    twice = [fresh(record) for record in records] + [fresh(record) for record in records]
    np.testing.assert_allclose(twice, np.tile(exact, 2), rtol=0, atol=1e-9)


def test_the_model_reads_the_first_max_chars_characters():
    from model.features import MAX_CHARS, record_row

    assert len(record_row({"content": "x" * (MAX_CHARS + 500)})[0]) == MAX_CHARS


def test_scores_are_probabilities(classifier, videos):
    scores = np.array(classifier.score_many(videos.records))
    assert ((scores >= 0) & (scores <= 1)).all()


def test_single_scoring_is_fast(classifier):
    record = {
        "content": "Check out my new music video, link in my channel, subscribe please! " * 3,
        "author_name": "Some Singer",
        "author_email": "s@example.org",
        "post_id": "p",
    }
    for _ in range(50):
        classifier.score(record)
    timings = []
    for _ in range(500):
        start = time.perf_counter()
        classifier.score(record)
        timings.append(time.perf_counter() - start)
    # Generous against a shared CI machine; `make bench` measures the real p50/p99.
    assert np.percentile(timings, 50) < 0.004


@pytest.fixture
def copy(models_dir, tmp_path):
    """Return a copy of the trained version folder that a test may damage."""
    return shutil.copytree(model.latest_version_dir(models_dir), tmp_path / "version")


def test_a_tampered_artifact_is_refused_before_unpickling(copy):
    data = bytearray((copy / "model.joblib").read_bytes())
    data[-1] ^= 0xFF
    (copy / "model.joblib").write_bytes(bytes(data))
    with pytest.raises(model.ArtifactError, match=r"model.joblib: sha256 .* does not match"):
        model.load_artifact(copy, SECRET)


@pytest.mark.parametrize(
    ("library", "recorded"), [("scikit-learn", "0.24.2"), ("numpy", "1.0.0"), ("python", "3.7")]
)
def test_an_artifact_from_other_library_versions_is_refused(copy, library, recorded):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["libraries"][library] = recorded
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(model.ArtifactError, match=rf"{library} {recorded} \(installed "):
        model.load_artifact(copy, SECRET)


def test_bytes_load_with_the_same_checks(copy):
    data = (copy / "model.joblib").read_bytes()
    manifest = json.loads((copy / "manifest.json").read_text())
    assert model.load_artifact_bytes(data, manifest).version == manifest["version"]
    with pytest.raises(model.ArtifactError, match="does not match"):
        model.load_artifact_bytes(data + b"\0", manifest)
    with pytest.raises(model.ArtifactError, match="no sha256"):
        model.load_artifact_bytes(data, {**manifest, "sha256": None})


def test_a_replaced_artifact_with_a_matching_digest_is_never_unpickled(copy, tmp_path):
    marker = tmp_path / "payload-ran"
    plant(copy, marker)

    with pytest.raises(model.ArtifactError, match="HMAC does not verify"):
        model.load_artifact(copy, SECRET)
    assert not marker.exists()


def test_an_artifact_signed_by_another_deployment_or_unsigned_is_refused(copy):
    with pytest.raises(model.ArtifactError, match="HMAC does not verify"):
        model.load_artifact(copy, "another deployment's secret")
    (copy / "signature").unlink()
    with pytest.raises(model.ArtifactError, match=r"signature: cannot read it"):
        model.load_artifact(copy, SECRET)


def test_a_version_loaded_before_is_checked_again_and_shares_its_pipeline(copy):
    first, again = (model.load_artifact(copy, SECRET) for _ in range(2))
    assert again.pipeline is first.pipeline and again is not first

    with pytest.raises(model.ArtifactError, match="HMAC does not verify"):
        model.load_artifact(copy, "another deployment's secret")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["libraries"]["numpy"] = "1.0.0"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(model.ArtifactError, match=r"numpy 1.0.0 \(installed "):
        model.load_artifact(copy, SECRET)


def test_a_missing_or_broken_manifest_is_refused(copy):
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(model.ArtifactError, match=r"manifest\.json: cannot read the manifest"):
        model.load_artifact(copy, SECRET)


def test_serving_imports_neither_matplotlib_nor_flask(models_dir):
    code = (
        "import sys, model\n"
        "c = model.load_artifact(model.latest_version_dir(sys.argv[1]), sys.argv[2])\n"
        "c.score({'content': 'hi'})\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "sys.exit(len({'matplotlib', 'pandas', 'flask', 'service'} & loaded))\n"
    )
    import subprocess

    assert (
        subprocess.run(
            [sys.executable, "-c", code, str(models_dir), SECRET], cwd=DATA.parent
        ).returncode
        == 0
    )


def test_the_fast_char_ngrams_equal_sklearns(classifier, videos):
    from model.features import record_row
    from model.tfidf import char_wb_ngrams

    chars = classifier.pipeline.named_steps["features"].named_transformers_["chars"]
    analyze = chars.build_analyzer()
    low, high = chars.ngram_range
    texts = [record_row(record)[0] for record in videos.records] + ["a", " x\u00a0y\tz\n", "ÀÉ  b"]
    for text in texts:
        assert Counter(char_wb_ngrams(text.lower(), low, high)) == Counter(analyze(text))
