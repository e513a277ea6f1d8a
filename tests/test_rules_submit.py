"""Site settings applied to real submissions: what is stored, with which reasons, or refused."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service.db import db
from service.tables import Comment, Status

POST = "relatives-of-missing-kazakhs-fall-silent"


def stored(app) -> list[Comment]:
    """Every comment in the database, oldest first."""
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def approve(moderator, comment_id: int) -> None:
    response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": "approve"})
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def low_score(score_as):
    """Every comment scores 0.05: below the default ham threshold 0.2."""
    score_as(0.05)


LOW = "score 0.05 < spam threshold 0.90"


def test_defaults_hold_a_first_comment_with_only_its_score_reason(app, submit, low_score):
    assert submit().status_code == 201

    [comment] = stored(app)
    assert (comment.status, comment.reasons) == (Status.PENDING, [LOW])


def test_too_many_links_are_held_with_the_reason_stored(app, submit, low_score, configure):
    configure(max_links=1)
    body = submit(content="see http://a.example and http://b.example").get_json()

    [comment] = stored(app)
    assert body["status"] == comment.status == Status.PENDING
    assert body["reasons"] == comment.reasons == [LOW, "2 links > max 1"]


def test_a_moderation_word_with_a_cyrillic_letter_is_held(app, submit, low_score, configure):
    configure(moderation_words=["casino"])
    submit(content="The best c\u0430sino bonus")

    [comment] = stored(app)
    assert comment.reasons == [LOW, 'matched moderation word "casino" in content']


def test_a_spaced_out_disallowed_word_in_the_name_is_spam(app, submit, low_score, configure):
    configure(disallowed_words=["casino"])
    submit(author_name="C A S I N O")

    [comment] = stored(app)
    assert comment.status == Status.SPAM
    assert comment.reasons == ['matched disallowed word "casino" in name', LOW]


def test_a_filled_honeypot_is_stored_as_spam(app, submit, low_score):
    body = submit(honeypot="http://spam.example").get_json()

    [comment] = stored(app)
    assert body["status"] == "spam"
    assert comment.honeypot == "http://spam.example"
    assert comment.reasons == ["honeypot field was filled in", LOW]


def test_an_empty_honeypot_is_no_evidence(app, submit, low_score):
    submit(honeypot="")

    assert stored(app)[0].status == Status.PENDING


@pytest.mark.parametrize(("seconds", "held"), [(1, True), (30, False)])
def test_a_form_sent_too_fast_is_held(app, submit, configure, score_as, clock, seconds, held):
    configure(trusted="below_ham_threshold")
    score_as(0.05)
    rendered = (clock.now - timedelta(seconds=seconds)).isoformat()

    submit(form_rendered_at=rendered)

    [comment] = stored(app)
    assert comment.form_rendered_at == clock.now - timedelta(seconds=seconds)
    assert comment.status == (Status.PENDING if held else Status.APPROVED)
    assert ("submitted 1.0 s after the form was rendered < minimum 3 s" in comment.reasons) is held


def test_a_form_time_needs_a_zone(app, submit):
    response = submit(form_rendered_at="2026-11-27T08:59:00")

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["form_rendered_at"]
    assert stored(app) == []


@pytest.mark.parametrize(
    ("settings", "overrides", "reason"),
    [
        (
            {"blocked_email_domains": ["spam.example"]},
            {"author_email": "bob@mail.spam.example"},
            'email domain "spam.example" is blocked',
        ),
        ({"blocked_ips": ["203.0.113.7"]}, {}, "IP 203.0.113.7 is blocked"),
        (
            {"blocked_ips": ["203.0.113.0/24"]},
            {},
            "IP 203.0.113.7 is in blocked range 203.0.113.0/24",
        ),
        (
            {"blocked_ips": ["203.0.113.0/24"]},
            {"user_ip": "::ffff:203.0.113.9"},
            "IP 203.0.113.9 is in blocked range 203.0.113.0/24",
        ),
    ],
)
def test_blocklists_send_to_spam(app, submit, low_score, configure, settings, overrides, reason):
    configure(**settings)
    submit(**overrides)

    [comment] = stored(app)
    assert (comment.status, comment.reasons) == (Status.SPAM, [reason, LOW])


def test_an_allowlisted_author_is_published_at_once(app, client, submit, score_as, configure):
    configure(allowed_authors=["aigerim@example.kz"])
    score_as(0.5)

    submit(content="Published without waiting.")

    [comment] = stored(app)
    assert comment.status == Status.APPROVED
    assert comment.reasons[0] == 'author "aigerim@example.kz" is on the allowlist'
    thread = client.get(f"/api/v1/posts/{POST}/comments?site=news").get_json()
    assert [item["content"] for item in thread["items"]] == ["Published without waiting."]


# --- trusted returning commenters ----------------------------------------------------------


def test_a_previously_approved_author_is_approved_when_the_score_is_low(
    app, submit, moderator, low_score
):
    approve(moderator, submit().get_json()["id"])

    body = submit().get_json()

    assert body["status"] == "approved"
    assert stored(app)[-1].reasons == [
        LOW,
        "author previously approved, score 0.05 < ham threshold 0.20",
    ]


@pytest.mark.parametrize(
    ("mode", "second_author", "expected"),
    [
        ("previously_approved", {}, Status.APPROVED),
        ("previously_approved", {"author_name": "Someone Else"}, Status.PENDING),
        ("previously_approved", {"author_name": "AIGERIM"}, Status.APPROVED),
        ("previously_approved", {"author_email": "other@example.kz"}, Status.PENDING),
        ("off", {}, Status.PENDING),
        ("below_ham_threshold", {"author_email": "new@example.kz"}, Status.APPROVED),
    ],
)
def test_trusted_setting_values(
    app, submit, moderator, low_score, configure, mode, second_author, expected
):
    configure(trusted=mode)
    first = submit().get_json()
    if first["status"] == "pending":  # everyone below the threshold is approved at once
        approve(moderator, first["id"])

    submit(**second_author)

    assert stored(app)[-1].status == expected


def test_a_pending_earlier_comment_earns_no_trust(app, submit, low_score):
    submit()
    submit()

    assert [c.status for c in stored(app)] == [Status.PENDING, Status.PENDING]


def test_a_trusted_author_over_the_ham_threshold_waits(app, submit, moderator, score_as):
    score_as(0.5)
    approve(moderator, submit().get_json()["id"])

    assert submit().get_json()["status"] == "pending"


def test_an_unscored_comment_is_never_approved_by_trust(app, submit, moderator, score_as):
    score_as(0.05)
    approve(moderator, submit().get_json()["id"])
    score_as(None)

    body = submit().get_json()

    assert (body["status"], body["reasons"]) == ("pending", ["unscored"])


def test_hold_rules_beat_trust(app, submit, moderator, low_score, configure):
    configure(moderation_words=["uncle"])
    approve(moderator, submit(content="Thank you.").get_json()["id"])

    submit()

    assert stored(app)[-1].status == Status.PENDING


# --- refusals: nothing stored ----------------------------------------------------------------


def test_a_duplicate_is_refused_with_409(app, submit):
    assert submit(content="Same words.").status_code == 201

    response = submit(content="Same words.")

    assert response.status_code == 409
    assert response.get_json() == {
        "error": "duplicate comment: this author already posted this on this post"
    }
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    "other",
    [{"post_id": "another-post"}, {"author_email": "other@example.kz"}, {"content": "New."}],
)
def test_the_same_words_elsewhere_or_by_another_are_no_duplicate(app, submit, other):
    submit(content="Same words.")

    assert submit(**{"content": "Same words.", **other}).status_code == 201


def test_comments_on_a_closed_post_are_refused_with_403(app, submit, configure):
    configure(closed_posts=[POST])

    response = submit()

    assert response.status_code == 403
    assert response.get_json() == {"error": "comments are closed on this post"}
    assert stored(app) == []
    assert submit(post_id="an-open-post").status_code == 201


@pytest.mark.parametrize(("days_later", "closed"), [(6, False), (7, True), (30, True)])
def test_a_post_closes_days_after_its_first_comment(
    app, submit, configure, clock, days_later, closed
):
    configure(close_after_days=7)
    submit()
    clock.advance(days=days_later)

    response = submit()

    assert response.status_code == (403 if closed else 201)
    assert len(stored(app)) == (1 if closed else 2)


def test_without_close_after_days_posts_stay_open(app, submit, clock):
    submit()
    clock.advance(days=3650)

    assert submit().status_code == 201


def test_the_same_comment_sent_twenty_times_at_once_is_stored_once(
    make_app, site_headers, valid_comment, configure
):
    # Twenty at once from one reader: not what this tests.
    configure(flood_per_minute=None, flood_interval_seconds=0)
    app = make_app(SITE_REQUESTS_PER_SECOND=0)
    body = valid_comment(content="Sent twenty times by an impatient back end.")
    start = threading.Barrier(20)

    def send(_):
        client = app.test_client()
        start.wait()
        return client.post("/api/v1/comments", json=body, headers=site_headers).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = sorted(pool.map(send, range(20)))

    assert codes == [201] + [409] * 19
    assert len(stored(app)) == 1
