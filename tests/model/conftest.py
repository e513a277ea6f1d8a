"""Fixtures for the model tests: one small model trained once per session."""

from pathlib import Path

import pytest
from corpus_files import VIDEOS
from support import SECRET

from model import artifact, corpora, train


@pytest.fixture(scope="session")
def videos() -> corpora.Dataset:
    """Return the three YouTube files as one dataset."""
    return corpora.load_all(VIDEOS)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory, videos) -> Path:
    """Train the serving model on the YouTube files once, into a temporary models folder."""
    out = tmp_path_factory.mktemp("models")
    train.train(videos, out, SECRET, log=lambda message: None)
    return out


@pytest.fixture(scope="session")
def classifier(models_dir) -> artifact.Classifier:
    """Return the session's trained model, loaded and verified."""
    return artifact.load_artifact(artifact.latest_version_dir(models_dir), SECRET)


@pytest.fixture
def write(tmp_path):
    """Return a function that writes text to a file in tmp_path and returns its path."""

    def write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return write
