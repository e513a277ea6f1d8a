"""Helpers shared by test modules (importable by name, unlike conftest.py)."""

import io
import json
import os
from pathlib import Path

import joblib

from model import artifact
from model.artifact import signing_key

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = Path(os.environ.get("MODEL_DIR", ROOT / "models"))
# The secret the model in MODEL_DIR is signed with (make train): the tests' apps use it,
# or they would refuse to serve that model.
SECRET = signing_key(ROOT / "instance" / "secret_key")
CONSOLE_PASSWORD = "correct horse battery"


def bearer(token: str) -> dict:
    """Authorization headers for a token."""
    return {"Authorization": f"Bearer {token}"}


def count_comments(app) -> int:
    """How many comments the app's database holds."""
    import sqlalchemy as sa

    from service.db import db
    from service.tables import Comment

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def stored_ids(database_url: str) -> set[int]:
    """The ids of every comment in a database, read with an engine of its own."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT id FROM comments")))
    finally:
        engine.dispose()


class FixedClassifier:
    """A stand-in model giving every comment the same score, so routing tests are exact."""

    version = "fixed-test-model"
    threshold = 0.9

    def __init__(self, value: float):
        self.value = value

    def score(self, record: dict) -> float:
        return self.value


class Payload:
    """What an attacker would pickle: unpickling it touches a file (it could run anything)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def plant(folder: Path, marker: Path) -> None:
    """Replace a version's artifact with a payload, its manifest's sha256 updated to match."""
    buffer = io.BytesIO()
    joblib.dump(Payload(marker), buffer)
    (folder / "model.joblib").write_bytes(buffer.getvalue())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"] = artifact.sha256(buffer.getvalue())
    (folder / "manifest.json").write_text(json.dumps(manifest))


def training_labels(connection) -> list[dict]:
    """Every label a retrain would read now, oldest decision first."""
    from service import labels

    stored = labels.Stored(connection, labels.mark(connection))
    return list(stored.read(range(len(stored))))
