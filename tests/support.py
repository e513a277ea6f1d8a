"""Helpers shared by test modules (importable by name, unlike conftest.py)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = Path(os.environ.get("MODEL_DIR", ROOT / "models"))


def bearer(token: str) -> dict:
    """Authorization headers for a token."""
    return {"Authorization": f"Bearer {token}"}


def count_comments(app) -> int:
    """How many comments the app's database holds."""
    import sqlalchemy as sa

    from service.db import db
    from service.models import Comment

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
