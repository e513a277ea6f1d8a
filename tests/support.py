"""Helpers shared by test modules (importable by name, unlike conftest.py)."""

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
import traceback
import warnings
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


def run_module(module: str, *args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `python -m module args` from cwd in this process: its exit code, stdout and stderr.

    As a new interpreter would run it, less that interpreter's seconds of imports (5 s on CI's
    machine): the module runs as __main__, warnings print once, an uncaught exception exits 1
    with its traceback on stderr.
    """
    argv, out, err, code = [module, *map(str, args)], io.StringIO(), io.StringIO(), 0
    saved = sys.argv
    with (
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("default")
        # The module may be imported already (by the test): harmless, as in a new interpreter.
        warnings.filterwarnings("ignore", ".*found in sys.modules after import", RuntimeWarning)
        sys.argv = argv
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as done:
            if isinstance(done.code, str):
                print(done.code, file=sys.stderr)
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.argv = saved
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


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
