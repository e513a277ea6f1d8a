"""POST /api/v1/comments: validation, routing, storage and every error code."""

import pytest
import sqlalchemy as sa

from service.db import db
from service.tables import Comment, Status


def stored(app) -> list[Comment]:
    """Every comment in the database."""
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def test_valid_comment_is_stored_and_described(app, submit):
    response = submit()

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "parent_id", "status", "spam_score", "model_version", "reasons"}
    assert body["parent_id"] is None
    assert response.headers["Location"] == f"/api/v1/comments/{body['id']}"
    [comment] = stored(app)
    assert comment.id == body["id"]
    assert comment.author_email == "aigerim@example.kz"
    assert comment.user_ip == "203.0.113.7"
    assert comment.status == Status(body["status"])
    assert comment.reasons == body["reasons"]


def test_ham_is_scored_and_queued_with_its_reason(app, submit):
    body = submit().get_json()

    assert body["status"] == "pending"
    assert 0 <= body["spam_score"] < 0.5
    assert body["model_version"]
    assert body["reasons"] == [
        f"score {body['spam_score']:.2f} < spam threshold {threshold(app):.2f}"
    ]


def test_obvious_spam_goes_to_the_spam_folder(submit):
    body = submit(
        author_name="Best Prices",
        content="CHECK OUT MY CHANNEL!!! subscribe now http://bit.ly/free-money win a FREE iPhone",
    ).get_json()

    assert body["status"] == "spam"
    assert body["reasons"][0].startswith(f"score {body['spam_score']:.2f} >= spam threshold")


def threshold(app) -> float:
    with app.app_context():
        from service import scoring

        return scoring.threshold()


def test_configured_threshold_overrides_the_models(make_app, site_headers, valid_comment):
    app = make_app(SPAM_THRESHOLD=0.0)
    response = app.test_client().post(
        "/api/v1/comments", json=valid_comment(), headers=site_headers
    )

    assert response.get_json()["status"] == "spam"
    assert response.get_json()["reasons"][0].endswith(">= spam threshold 0.00")


def test_without_a_model_comments_are_stored_unscored(
    make_app, site_headers, valid_comment, tmp_path
):
    app = make_app(MODEL_DIR=str(tmp_path / "no-models"))
    response = app.test_client().post(
        "/api/v1/comments", json=valid_comment(), headers=site_headers
    )

    assert response.status_code == 201
    body = response.get_json()
    assert body == {**body, "status": "pending", "spam_score": None, "model_version": None}
    assert body["reasons"] == ["unscored"]
    assert stored(app)[0].reasons == ["unscored"]


def test_text_is_trimmed_and_crlf_read_as_newline(app, submit):
    submit(author_name="  Aigerim  ", content="  first line\r\nsecond line  ")

    [comment] = stored(app)
    assert comment.author_name == "Aigerim"
    assert comment.content == "first line\nsecond line"


def test_empty_optional_fields_are_absent(app, submit):
    assert submit(author_url="", user_ip="", referrer="").status_code == 201

    [comment] = stored(app)
    assert (comment.author_url, comment.user_ip, comment.referrer) == (None, None, None)


INVALID = [
    ({"post_id": ""}, "post_id"),
    ({"post_id": "p" * 201}, "post_id"),
    ({"author_name": "   "}, "author_name"),
    ({"author_name": "n" * 101}, "author_name"),
    ({"author_email": "not-an-email"}, "author_email"),
    ({"author_email": "a@" + "b" * 250 + ".kz"}, "author_email"),
    ({"author_url": "javascript:alert(1)"}, "author_url"),
    ({"author_url": "ftp://example.kz/file"}, "author_url"),
    ({"author_url": "https://example.kz/" + "a" * 2000}, "author_url"),
    ({"content": " \n\t "}, "content"),
    ({"content": "c" * 10_001}, "content"),
    ({"content": "null byte \x00 here"}, "content"),
    ({"author_name": "bell\x07"}, "author_name"),
    ({"content": "lone carriage return\rhere"}, "content"),
    ({"parent_id": "1"}, "parent_id"),
    ({"user_ip": "999.1.1.1"}, "user_ip"),
    ({"content": 42}, "content"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID)
def test_invalid_field_is_refused_with_its_name_and_nothing_stored(app, submit, overrides, field):
    response = submit(**overrides)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]
    assert stored(app) == []


@pytest.mark.parametrize("field", ["post_id", "author_name", "author_email", "content"])
def test_required_field_missing_is_refused(client, site_headers, valid_comment, field):
    body = valid_comment()
    del body[field]

    response = client.post("/api/v1/comments", json=body, headers=site_headers)

    assert response.status_code == 422
    assert response.get_json() == {"errors": {field: ["Missing data for required field."]}}


def test_unknown_fields_are_refused_by_name(app, submit):
    response = submit(is_admin=True, status="approved")

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"is_admin", "status"}
    assert stored(app) == []


def test_body_that_is_not_an_object_is_refused(client, site_headers):
    response = client.post("/api/v1/comments", json=["a", "list"], headers=site_headers)

    assert response.status_code == 422
    assert "_schema" in response.get_json()["errors"]


def test_malformed_json_is_400(app, client, site_headers):
    response = client.post(
        "/api/v1/comments",
        data='{"post_id": ',
        headers={**site_headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert set(response.get_json()) == {"error"}
    assert stored(app) == []


def test_invalid_utf8_is_400(client, site_headers):
    response = client.post(
        "/api/v1/comments",
        data=b'{"content": "\xff\xfe"}',
        headers={**site_headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400


def test_form_body_is_415(app, client, site_headers):
    response = client.post("/api/v1/comments", data={"content": "hi"}, headers=site_headers)

    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]
    assert stored(app) == []


def test_oversized_body_is_413(app, submit):
    response = submit(content="x" * 70_000)

    assert response.status_code == 413
    assert set(response.get_json()) == {"error"}
    assert stored(app) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer site_0000.wrong"},
        {"Authorization": "Bearer key_0000.of-no-kind"},
    ],
)
def test_missing_or_bad_key_is_401(app, client, valid_comment, headers):
    response = client.post("/api/v1/comments", json=valid_comment(), headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.get_json()) == {"error"}
    assert stored(app) == []


def test_wrong_secret_for_a_real_key_is_401(client, site_key, valid_comment):
    key_id = site_key.partition(".")[0]
    headers = {"Authorization": f"Bearer {key_id}.not-the-secret"}

    assert client.post("/api/v1/comments", json=valid_comment(), headers=headers).status_code == 401


def test_moderator_token_cannot_submit(app, client, moderator, valid_comment):
    response = client.post("/api/v1/comments", json=valid_comment(), headers=moderator.headers)

    assert response.status_code == 403
    assert stored(app) == []


def test_reply_to_an_approved_comment_of_the_same_post_is_stored(submit, moderator):
    parent = submit().get_json()["id"]
    moderator.post(f"/api/v1/comments/{parent}/moderate", {"action": "approve"})

    response = submit(parent_id=parent, content="I am sorry for your family.")

    assert response.status_code == 201


@pytest.mark.parametrize("case", ["missing", "pending", "other-post"])
def test_reply_needs_an_approved_parent_on_the_same_post(submit, moderator, case):
    parent = submit().get_json()["id"]
    if case != "pending":
        moderator.post(f"/api/v1/comments/{parent}/moderate", {"action": "approve"})
    overrides = {
        "missing": {"parent_id": parent + 100},
        "pending": {"parent_id": parent},
        "other-post": {"parent_id": parent, "post_id": "another-article"},
    }[case]

    response = submit(**overrides)

    assert response.status_code == 422
    assert response.get_json() == {
        "errors": {"parent_id": ["Must be an approved comment of the same post."]}
    }
