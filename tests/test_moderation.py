"""Moderating: one comment in full, single and bulk decisions, conflicts, scoping."""

import pytest
import sqlalchemy as sa
from support import training_labels

from service.db import db
from service.tables import ModerationAction


def test_detail_shows_reasons_history_and_author_record(moderator, submit, clock):
    earlier = submit(content="An earlier comment of mine.").get_json()["id"]
    comment = submit().get_json()["id"]  # 15 s later: `submit` paces a reader's comments
    moderator.post(f"/api/v1/comments/{earlier}/moderate", {"action": "approve"})
    clock.advance(minutes=4, seconds=45)
    moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "reject"})

    response = moderator.get(f"/api/v1/comments/{comment}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "rejected"
    assert body["reasons"]
    assert body["author"] == {"approved": 1, "rejected": 1, "spam": 0}
    assert body["history"] == [
        {
            "moderator": "ed@news.example",
            "via": None,  # set when the site's own tool decided (Akismet's submit-spam/ham)
            "from": "pending",
            "to": "rejected",
            "at": "2026-11-27T09:05:00+00:00",
            "undo": False,  # true when it took back the decision before it
        }
    ]


@pytest.mark.parametrize(
    ("action", "status"), [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")]
)
def test_action_moves_the_comment_and_is_recorded(app, moderator, submit, action, status):
    comment = submit().get_json()["id"]

    response = moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": action})

    assert response.status_code == 200
    assert response.get_json()["status"] == status
    assert response.get_json()["version"] == 2
    with app.app_context():
        [recorded] = db.session.scalars(sa.select(ModerationAction)).all()
        assert (recorded.comment_id, recorded.from_status, recorded.to_status) == (
            comment,
            "pending",
            status,
        )


def test_not_spam_from_the_spam_folder(moderator, submit):
    spam = submit(
        content="FREE iPhone!!! CHECK OUT my channel http://bit.ly/xyz subscribe"
    ).get_json()
    assert spam["status"] == "spam"

    response = moderator.post(f"/api/v1/comments/{spam['id']}/moderate", {"action": "approve"})

    assert response.get_json()["status"] == "approved"
    assert response.get_json()["history"][0]["from"] == "spam"


def test_second_moderator_acting_on_a_stale_version_gets_409(app, moderator, submit):
    comment = submit().get_json()["id"]
    assert (
        moderator.post(
            f"/api/v1/comments/{comment}/moderate", {"action": "approve", "version": 1}
        ).status_code
        == 200
    )

    response = moderator.post(
        f"/api/v1/comments/{comment}/moderate", {"action": "spam", "version": 1}
    )

    assert response.status_code == 409
    assert "changed by another moderator" in response.get_json()["error"]
    assert moderator.get(f"/api/v1/comments/{comment}").get_json()["status"] == "approved"


def labels_of(app) -> dict[str, str]:
    """The training label each labelled comment carries, by content."""
    with app.app_context():
        return {r["content"]: r["label"] for r in training_labels(db.session.connection())}


@pytest.mark.parametrize(
    ("score", "settings", "action", "status", "label"),
    [
        (0.95, {}, "spam", "spam", "spam"),  # the classifier's spam (threshold 0.9)
        (0.05, {"trusted": "below_ham_threshold"}, "approve", "approved", "ham"),  # a rule's
    ],
)
def test_confirming_the_machines_verdict_is_a_recorded_decision_and_a_label(
    app, moderator, submit, score_as, configure, score, settings, action, status, label
):
    configure(**settings)
    score_as(score)
    routed = submit().get_json()
    assert routed["status"] == status
    assert labels_of(app) == {}

    response = moderator.post(
        f"/api/v1/comments/{routed['id']}/moderate", {"action": action, "version": 1}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["version"]) == (status, 2)
    assert [(h["moderator"], h["from"], h["to"]) for h in body["history"]] == [
        ("ed@news.example", status, status)
    ]
    assert labels_of(app) == {body["content"]: label}


def test_a_confirmation_on_a_stale_version_is_409(moderator, submit, score_as):
    score_as(0.95)
    spam = submit().get_json()["id"]
    assert (
        moderator.post(f"/api/v1/comments/{spam}/moderate", {"action": "approve"}).status_code
        == 200
    )

    response = moderator.post(f"/api/v1/comments/{spam}/moderate", {"action": "spam", "version": 1})

    assert response.status_code == 409
    assert "changed by another moderator: it is now approved" in response.get_json()["error"]
    assert [h["to"] for h in moderator.get(f"/api/v1/comments/{spam}").get_json()["history"]] == [
        "approved"
    ]


def test_acting_on_the_state_before_a_confirmation_is_409(moderator, submit, score_as):
    score_as(0.95)
    spam = submit().get_json()["id"]
    moderator.post(f"/api/v1/comments/{spam}/moderate", {"action": "spam", "version": 1})

    response = moderator.post(
        f"/api/v1/comments/{spam}/moderate", {"action": "approve", "version": 1}
    )

    assert response.status_code == 409
    assert moderator.get(f"/api/v1/comments/{spam}").get_json()["status"] == "spam"


def test_repeating_the_latest_decision_records_nothing(app, moderator, submit):
    comment = submit().get_json()["id"]
    first = moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "approve"})

    again = moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "approve"})

    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert [(h["from"], h["to"]) for h in again.get_json()["history"]] == [("pending", "approved")]
    assert list(labels_of(app).values()) == ["ham"]


def test_later_decision_replaces_the_earlier(moderator, submit):
    comment = submit().get_json()["id"]
    moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "approve"})

    body = moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "spam"}).get_json()

    assert body["status"] == "spam"
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        ("pending", "approved"),
        ("approved", "spam"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete"}, "action"),
        ({}, "action"),
        ({"action": "approve", "version": "1"}, "version"),
        ({"action": "approve", "why": "x"}, "why"),
    ],
)
def test_malformed_action_is_422(moderator, submit, body, field):
    comment = submit().get_json()["id"]

    response = moderator.post(f"/api/v1/comments/{comment}/moderate", body)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_unknown_comment_is_404(moderator):
    assert moderator.get("/api/v1/comments/999").status_code == 404
    response = moderator.post("/api/v1/comments/999/moderate", {"action": "approve"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "comment 999 not found"}


def test_site_key_cannot_moderate(client, site_headers, submit):
    comment = submit().get_json()["id"]

    response = client.post(
        f"/api/v1/comments/{comment}/moderate", json={"action": "approve"}, headers=site_headers
    )

    assert response.status_code == 403
    assert client.get(f"/api/v1/comments/{comment}", headers=site_headers).status_code == 403


def test_unauthenticated_caller_cannot_read_or_moderate(client, submit):
    comment = submit().get_json()["id"]

    assert client.get(f"/api/v1/comments/{comment}").status_code == 401
    assert (
        client.post(f"/api/v1/comments/{comment}/moderate", json={"action": "approve"}).status_code
        == 401
    )
    assert (
        client.post("/api/v1/moderate", json={"action": "approve", "ids": [comment]}).status_code
        == 401
    )


def test_moderator_of_another_site_gets_404(client, create_secret, submit):
    comment = submit().get_json()["id"]
    create_secret("sites", "create", "other")
    token = create_secret("moderators", "create", "mod@other.example", "--site", "other")
    headers = {"Authorization": f"Bearer {token}"}

    assert client.get(f"/api/v1/comments/{comment}", headers=headers).status_code == 404
    response = client.post(
        f"/api/v1/comments/{comment}/moderate", json={"action": "approve"}, headers=headers
    )
    assert response.status_code == 404


def test_bulk_reports_each_outcome_in_order(app, moderator, submit, score_as):
    first, second, third = (submit().get_json()["id"] for _ in range(3))
    moderator.post(f"/api/v1/comments/{second}/moderate", {"action": "spam"})
    score_as(0.95)
    routed = submit().get_json()["id"]  # the classifier's spam, nobody's decision yet

    response = moderator.post(
        "/api/v1/moderate", {"action": "spam", "ids": [first, second, 999, routed, third, first]}
    )

    assert response.status_code == 200
    assert response.get_json()["items"] == [
        {"id": first, "code": 200, "status": "spam"},
        {"id": second, "code": 200, "status": "spam"},  # already decided: nothing new
        {"id": 999, "code": 404, "error": "comment 999 not found"},
        {"id": routed, "code": 200, "status": "spam"},  # confirmed
        {"id": third, "code": 200, "status": "spam"},
    ]
    with app.app_context():
        moves = db.session.execute(
            sa.select(ModerationAction.comment_id, ModerationAction.from_status).order_by(
                ModerationAction.id
            )
        ).all()
    assert moves == [
        (second, "pending"),
        (first, "pending"),
        (routed, "spam"),
        (third, "pending"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "approve", "ids": []},
        {"action": "approve", "ids": list(range(101))},
        {"action": "approve", "ids": ["a"]},
    ],
)
def test_bulk_refuses_bad_id_lists(moderator, body):
    response = moderator.post("/api/v1/moderate", body)

    assert response.status_code == 422
    assert next(iter(response.get_json()["errors"])).startswith("ids")
