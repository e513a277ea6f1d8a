"""The model registry: signed versions, hot reload on every worker, refusal, rollback, drift."""

import logging
import shutil
from typing import ClassVar

import pytest
import sqlalchemy as sa
from support import MODEL_DIR, FixedClassifier, bearer, plant

import model
from service import registry, scoring
from service.db import db
from service.tables import ModelVersion, VersionStatus


class Ticks:
    """A monotonic clock the tests move by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def app(make_app, ticks):
    return make_app(MODEL_POLL_SECONDS=10, MONOTONIC=ticks, SITE_REQUESTS_PER_SECOND=0)


def store(app, version: str, secret: str | None = None, clock=None) -> ModelVersion:
    """Store the file model under a new version name as the newest promotion."""
    with app.app_context():
        served = scoring.load(app.config["MODEL_DIR"], app.config["SECRET_KEY"])
        data = model.artifact.dump(served.pipeline)
        manifest = {**served.manifest, "version": version, "sha256": model.artifact.sha256(data)}
        row = registry.add(
            db.session,
            data,
            manifest,
            secret or app.config["SECRET_KEY"],
            VersionStatus.PROMOTED,
            app.config["CLOCK"](),
        )
        db.session.commit()
        return row.id


def served_version(client, submit) -> str:
    """Post a comment and return the model version that scored it."""
    response = submit()
    assert response.status_code == 201, response.get_json()
    return response.get_json()["model_version"]


def test_a_promotion_reaches_a_running_app_after_the_poll_interval(app, client, submit, ticks):
    first = served_version(client, submit)  # the first request looks: the registry is empty
    store(app, "2026-registry-v2")

    assert served_version(client, submit) == first  # not looked again yet
    ticks.now += 10
    assert served_version(client, submit) == "2026-registry-v2"


def test_a_tampered_artifact_is_refused_and_the_old_model_keeps_serving(
    app, client, submit, ticks, caplog
):
    first = served_version(client, submit)
    store(app, "forged-v2", secret="not-this-services-secret")
    ticks.now += 10

    with caplog.at_level(logging.ERROR, logger="service.scoring"):
        assert served_version(client, submit) == first
    assert "forged-v2" in caplog.text
    assert "HMAC does not verify" in caplog.text


def test_an_altered_artifact_fails_its_digest_before_unpickling(app):
    version_id = store(app, "altered-v2")
    with app.app_context():
        row = db.session.get(ModelVersion, version_id)
        row.artifact = row.artifact[:-1] + bytes([row.artifact[-1] ^ 1])
        with pytest.raises(model.ArtifactError, match="sha256 does not match"):
            registry.verify(row, app.config["SECRET_KEY"])


def test_rollback_serves_the_previous_promotion_again(app, runner, clock, client, submit, ticks):
    store(app, "registry-v1")
    clock.advance(minutes=1)
    store(app, "registry-v2")

    listed = runner.invoke(args=["model", "list"]).output
    assert listed.index("registry-v2") < listed.index("registry-v1")
    assert [line[0] for line in listed.splitlines()] == ["*", " "]
    assert served_version(client, submit) == "registry-v2"

    clock.advance(minutes=1)
    result = runner.invoke(args=["model", "rollback"])
    assert result.exit_code == 0, result.output
    assert "rolled back registry-v2 -> serving registry-v1" in result.output
    ticks.now += 10
    assert served_version(client, submit) == "registry-v1"

    refused = runner.invoke(args=["model", "rollback"])
    assert refused.exit_code == 1
    assert "no previous one" in refused.output


def test_import_stores_the_file_model_as_serving(app, runner):
    result = runner.invoke(args=["model", "import"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        row = registry.serving(db.session)
        assert (
            row.version == scoring.load(app.config["MODEL_DIR"], app.config["SECRET_KEY"]).version
        )
        assert registry.verify(row, app.config["SECRET_KEY"]).version == row.version


class Described(FixedClassifier):
    """A fixed-score model with a manifest, as GET /api/v1/model describes one."""

    manifest: ClassVar[dict] = {"trained_at": None}


def test_model_info_counts_overturns_since_promotion(app, client, submit, moderator, create_secret):
    ids = {}
    for number, value in enumerate((0.95, 0.95, 0.1, 0.1, 0.1)):
        # Threshold 0.9: two spam calls, three passed.
        app.extensions[scoring.CLASSIFIER] = Described(value)
        reader = {"user_ip": f"198.51.100.{number}", "author_email": f"r{number}@example.org"}
        ids.setdefault(value, []).append(submit(**reader).get_json()["id"])
    decisions = [(ids[0.95][0], "approve"), (ids[0.95][1], "reject"), (ids[0.1][0], "spam")]
    decisions.append((ids[0.1][1], "approve"))
    for comment_id, action in decisions:
        response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": action})
        assert response.status_code == 200, response.get_json()

    drift = moderator.get("/api/v1/model").get_json()["drift"]

    assert drift == {
        "since": None,
        "reviewed": 4,
        "false_positives": 2,
        "false_negatives": 1,
        "false_positive_rate": 1.0,
        "false_negative_rate": 0.5,
        "overturn_rate": 0.75,
    }
    create_secret("sites", "create", "other")
    elsewhere = bearer(create_secret("moderators", "create", "o@other.example", "--site", "other"))
    assert client.get("/api/v1/model", headers=elsewhere).get_json()["drift"]["reviewed"] == 0


def test_model_info_needs_a_moderator(client, site_key):
    assert client.get("/api/v1/model", headers=bearer(site_key)).status_code == 403


def test_an_unreadable_registry_keeps_the_current_model(
    app, client, submit, ticks, monkeypatch, caplog
):
    first = served_version(client, submit)

    def unreachable(connection):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(registry, "serving_id", unreachable)
    ticks.now += 10
    with caplog.at_level(logging.WARNING, logger="service.scoring"):
        assert served_version(client, submit) == first
    assert "cannot read the model registry" in caplog.text


def test_a_planted_model_file_never_runs_nor_reaches_the_registry(make_app, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODEL_DIR, models)
    marker = tmp_path / "payload-ran"
    plant(model.latest_version_dir(models), marker)

    app = make_app(MODEL_DIR=str(models))  # a plain `flask model list` starts the app so
    listed = app.test_cli_runner().invoke(args=["model", "list"])
    imported = app.test_cli_runner().invoke(args=["model", "import"])

    assert listed.exit_code == 0
    assert imported.exit_code != 0
    assert "no loadable, signed model" in imported.output
    assert not marker.exists()
    with app.app_context():
        assert registry.listing(db.session) == []
