"""Learning from moderators: labels, `flask model retrain`, and proof that it learns."""

import numpy as np
import pytest
import sqlalchemy as sa
from support import training_labels

from research import campaign
from service import comments, labels, scoring
from service.db import db
from service.tables import ModelVersion, Moderator, Status, VersionStatus

DECISIONS = {"spam": "spam", "ham": "approve"}


@pytest.fixture
def app(make_app):
    return make_app(MODEL_POLL_SECONDS=0, SITE_REQUESTS_PER_SECOND=0)


@pytest.fixture
def post(submit):
    """Post campaign records as distinct readers; return each response's JSON."""
    readers = iter(range(1, 10**6))

    def post_all(records) -> list[dict]:
        bodies = []
        for record in records:
            fields = {k: v for k, v in record.items() if k != "label" and v is not None}
            n = next(readers)
            response = submit(**fields, user_ip=f"10.0.{n // 250}.{n % 250 + 1}")
            assert response.status_code == 201, response.get_json()
            bodies.append(response.get_json())
        return bodies

    return post_all


@pytest.fixture
def label(moderator):
    """Have a moderator decide each posted comment as its true label says."""

    def decide(bodies, records) -> int:
        done = 0
        for body, record in zip(bodies, records, strict=True):
            if body["status"] == ("spam" if record["label"] == "spam" else "approved"):
                continue  # already where it belongs: nobody reviews it, so it is no label
            action = DECISIONS[record["label"]]
            response = moderator.post(f"/api/v1/comments/{body['id']}/moderate", {"action": action})
            assert response.status_code == 200, response.get_json()
            done += 1
        return done

    return decide


def recall_precision(truth: list[bool], flagged: list[bool]) -> tuple[float, float]:
    """Spam recall and precision of flags against the truth."""
    truth, flagged = np.array(truth), np.array(flagged)
    hits = (truth & flagged).sum()
    return hits / truth.sum(), hits / max(flagged.sum(), 1)


def test_moderators_labels_teach_the_model_a_campaign_it_missed(app, runner, post, label):
    mix = list(campaign.comments(300, seed=11))
    taught, held_out = mix[:100], mix[100:]
    with app.test_request_context():
        before = scoring.classifier()
        flagged = [s >= before.threshold for s in before.score_many(held_out)]
    truth = [record["label"] == "spam" for record in held_out]
    recall_before, _ = recall_precision(truth, flagged)

    assert label(post(taught), taught) >= 50
    result = runner.invoke(args=["model", "retrain"])

    assert result.exit_code == 0, result.output
    assert "decision: PROMOTED" in result.output
    routed = post(held_out)  # MODEL_POLL_SECONDS=0: the next request serves the new model
    assert {body["model_version"] for body in routed} == {_serving(app).version}
    recall, precision = recall_precision(truth, [body["status"] == "spam" for body in routed])
    assert recall >= 0.95 > recall_before + 0.2
    assert precision >= 0.95


def test_a_worse_challenger_is_kept_out_unless_forced(app, runner, post, label):
    taught = list(campaign.comments(30, seed=3))
    label(post(taught), taught)

    kept = runner.invoke(args=["model", "retrain", "--margin", "-1"])  # must beat it by 1
    assert kept.exit_code == 0, kept.output
    assert "decision: KEPT the champion" in kept.output
    assert "champion" in kept.output and "challenger" in kept.output
    with app.app_context():
        statuses = db.session.scalars(
            sa.select(ModelVersion.status).order_by(ModelVersion.id)
        ).all()
    assert statuses == [VersionStatus.PROMOTED, VersionStatus.REJECTED]  # imported, then lost

    forced = runner.invoke(args=["model", "retrain", "--margin", "-1", "--force"])
    assert "decision: PROMOTED" in forced.output and "by --force" in forced.output
    listed = runner.invoke(args=["model", "list"]).output.splitlines()
    assert listed[0].startswith("*")


def test_a_retrain_learns_from_every_label_unless_capped(app, runner, post, label):
    taught = list(campaign.comments(30, seed=3))
    decided = label(post(taught), taught)

    every = runner.invoke(args=["model", "retrain", "--force"])
    app.config["RETRAIN_MAX_LABELS"] = 4
    capped = runner.invoke(args=["model", "retrain", "--force"])

    assert f"{decided} labels, read from the database" in every.output
    assert capped.exit_code == 0, capped.output
    with app.app_context():
        manifests = db.session.scalars(
            sa.select(ModelVersion.manifest).order_by(ModelVersion.id.desc()).limit(2)
        ).all()
    assert [m["data"][-1]["rows"] for m in manifests] == [4, decided]


def test_a_retrain_past_its_sample_learns_every_label_chunked_and_serves_it(
    app, runner, post, label
):
    taught = list(campaign.comments(60, seed=5))
    decided = label(post(taught), taught)
    app.config["RETRAIN_SAMPLE_ROWS"] = 1_000  # fewer than the corpora: every fit is chunked

    result = runner.invoke(args=["model", "retrain", "--force"])

    assert result.exit_code == 0, result.output
    assert "from a sample of 1,000" in result.output
    assert "adding the newest" in result.output
    with app.app_context():
        manifest = db.session.scalar(
            sa.select(ModelVersion.manifest).order_by(ModelVersion.id.desc()).limit(1)
        )
    assert manifest["data"][-1]["rows"] == decided
    assert manifest["rows"] == 1138 + decided
    serving = _serving(app)
    assert serving.version == manifest["version"]
    later = list(campaign.comments(40, seed=6))
    scores = [serving.score(record) for record in later]
    exact = serving.pipeline.predict_proba(later)[:, 1]
    np.testing.assert_allclose(scores, exact, rtol=0, atol=1e-9)
    truth = [record["label"] == "spam" for record in later]
    recall, precision = recall_precision(truth, [s >= serving.threshold for s in scores])
    assert recall >= 0.8 and precision >= 0.9


def test_retrain_without_labels_says_so(runner):
    result = runner.invoke(args=["model", "retrain"])

    assert result.exit_code == 1
    assert "moderate at least 2 first" in result.output


def _serving(app):
    with app.test_request_context():
        return scoring.classifier()


def test_the_latest_human_decision_is_the_label(app, submit, moderator, score_as):
    score_as(0.5)
    ids = [
        submit(user_ip=f"192.0.2.{n}", author_email=f"r{n}@example.org").get_json()["id"]
        for n in range(4)
    ]
    for comment_id, actions in zip(
        ids, (["approve", "spam"], ["spam", "reject"], [], ["spam"]), strict=True
    ):
        for action in actions:
            moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": action})
    with app.app_context():
        someone = db.session.get(Moderator, 1)
        comments.moderate(someone, ids[3], Status.PENDING)  # sent back: the decision is withdrawn
        found = list(training_labels(db.session.connection()))

    assert [record["label"] for record in found] == ["spam", "ham"]
    assert [record["content"] for record in found] == [
        moderator.get(f"/api/v1/comments/{i}").get_json()["content"] for i in ids[:2]
    ]


def test_stored_labels_read_the_same_window_however_moderators_decide_meanwhile(
    app, submit, moderator, score_as
):
    score_as(0.5)
    texts = [f"Reader {n} on the council vote: point number {n}." for n in range(6)]
    ids = [
        submit(user_ip=f"192.0.2.{n}", author_email=f"r{n}@example.org", content=text).get_json()[
            "id"
        ]
        for n, text in enumerate(texts)
    ]

    def decide(comment_id, action):
        response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": action})
        assert response.status_code == 200, response.get_json()

    for comment_id, action in zip(
        ids[:5], ["spam", "approve", "spam", "reject", "spam"], strict=True
    ):
        decide(comment_id, action)
    with app.app_context():
        connection = db.session.connection()
        stored = labels.Stored(connection, labels.mark(connection))
        every = [(item["content"], item["label"]) for item in stored.read(range(5))]
        middle = [(item["content"], item["label"]) for item in stored.read(range(1, 4))]
    decide(ids[1], "spam")  # moves this comment's label to the newest end, past the mark
    decide(ids[5], "approve")
    with app.app_context():
        again = labels.Stored(db.session.connection(), stored.upto)
        later = [(item["content"], item["label"]) for item in again.read(range(5))]
        now = training_labels(db.session.connection())
        now = [(item["content"], item["label"]) for item in now]

    assert every == list(zip(texts[:5], ["spam", "ham", "spam", "ham", "spam"], strict=True))
    assert middle == every[1:4] and later == every and len(again) == 5
    assert list(stored.read(range(5, 5))) == []
    assert now == [every[0], *every[2:], (texts[1], "spam"), (texts[5], "ham")]
