"""The moderator console through Flask's test client: sessions, CSRF, roles, escaping, actions."""

import re

import pytest
import sqlalchemy as sa
from support import CONSOLE_PASSWORD

from service import labels, schemas, scoring
from service.config import Config
from service.db import db
from service.tables import Comment, ModerationAction, Moderator, Status

HOSTILE = {
    "author_name": '<img src=x onerror="alert(1)">Mallory',
    "content": "<script>alert('xss')</script> see javascript:alert(1) and "
    'https://example.org/a?b=1&c=2" onmouseover="alert(2)',
}


def stored(app, comment_id: int) -> Comment:
    with app.app_context():
        return db.session.get(Comment, comment_id)


def update(app, comment_id: int, **values) -> None:
    """Change a stored comment behind the API's back (e.g. a score, a legacy URL)."""
    with app.app_context():
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(**values))
        db.session.commit()


def test_console_pages_need_a_login(client):
    response = client.get("/moderate/?status=spam")

    assert response.status_code == 302
    assert response.headers["Location"] == "/moderate/login?next=/moderate/?status%3Dspam"


def test_login_page_sets_a_strict_content_security_policy(client):
    response = client.get("/moderate/login")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'name="csrf_token"' in response.text


def test_login_with_the_right_password_opens_the_queue(console, submit):
    submit()
    response = console.login()

    assert response.status_code == 302
    assert response.headers["Location"] == "/moderate/"
    assert "Aigerim" in console.get("/moderate/").text


def test_login_with_a_wrong_password_is_refused(console, console_account):
    email = console_account()
    response = console.post("/moderate/login", data={"email": email, "password": "nope"})

    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert console.get("/moderate/").status_code == 302


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Moderator.password_hash).where(Moderator.email == email))


def test_a_password_is_hashed_at_werkzeugs_scrypt_cost_by_default(make_app):
    assert Config.PASSWORD_SCRYPT_N == 2**15
    app = make_app(PASSWORD_SCRYPT_N=Config.PASSWORD_SCRYPT_N)
    typed = f"{CONSOLE_PASSWORD}\n{CONSOLE_PASSWORD}\n"
    created = app.test_cli_runner().invoke(
        args=["moderators", "create", "desk@news.example", "--password"], input=typed
    )

    assert created.exit_code == 0, created.output
    assert stored_hash(app, "desk@news.example").startswith("scrypt:32768:8:1$")


def test_a_hash_keeps_its_cost_so_a_new_cost_locks_nobody_out(app, console_account, make_app):
    email = console_account()
    assert stored_hash(app, email).startswith(f"scrypt:{app.config['PASSWORD_SCRYPT_N']}:8:1$")

    client = make_app(PASSWORD_SCRYPT_N=2**15).test_client()
    with client.session_transaction() as session:
        session["csrf"] = "token"
    typed = {"csrf_token": "token", "email": email, "password": CONSOLE_PASSWORD}
    assert client.post("/moderate/login", data=typed).status_code == 302


@pytest.mark.parametrize("cost", [0, 1, 1000, "32768"])
def test_a_password_cost_scrypt_cannot_use_stops_the_app_naming_it(make_app, cost):
    with pytest.raises(ValueError, match="PASSWORD_SCRYPT_N must be a power of two"):
        make_app(PASSWORD_SCRYPT_N=cost)


def test_repeated_failed_logins_are_throttled_until_the_window_passes(
    console, console_account, clock
):
    email = console_account()
    wrong = {"email": email, "password": "wrong guess"}
    answers = [console.post("/moderate/login", data=wrong).status_code for _ in range(11)]
    right = {"email": email, "password": "correct horse battery"}

    assert answers == [401] * 10 + [429]
    locked = console.post("/moderate/login", data=right)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    clock.advance(minutes=16)
    assert console.post("/moderate/login", data=right).status_code == 302


def test_a_moderator_without_a_password_cannot_log_in(console, moderator_token):
    response = console.post(
        "/moderate/login", data={"email": "ed@news.example", "password": "anything at all"}
    )

    assert response.status_code == 401


def test_logout_ends_the_session(console):
    console.login()
    response = console.post("/moderate/logout")

    assert response.headers["Location"] == "/moderate/login"
    assert console.get("/moderate/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/api/v1/queue"])
def test_login_never_redirects_outside_the_console(console, console_account, target):
    email = console_account()
    response = console.post(
        f"/moderate/login?next={target}", data={"email": email, "password": "correct horse battery"}
    )

    assert response.headers["Location"] == "/moderate/"


@pytest.mark.parametrize("path", ["/moderate/login", "/moderate/act", "/moderate/logout"])
def test_a_post_without_the_csrf_token_is_refused(client, console, path):
    console.login()
    response = client.post(path, data={"action": "approve", "ids": "1"})

    assert response.status_code == 400
    assert "did not come from this site" in response.text


def test_a_post_with_a_wrong_csrf_token_is_refused(client, console, submit):
    comment_id = submit().json["id"]
    console.login()
    response = client.post(
        "/moderate/act", data={"csrf_token": "forged", "action": "approve", "ids": comment_id}
    )

    assert response.status_code == 400
    assert stored(client.application, comment_id).status == Status.PENDING


def test_a_moderator_cannot_reach_admin_pages(console):
    console.login()

    assert console.get("/moderate/admin/moderators").status_code == 403
    assert console.get("/moderate/admin/sites").status_code == 403


def test_an_admin_adds_a_moderator_who_can_then_log_in(app, console):
    console.login("chief@news.example", "--admin")
    response = console.post(
        "/moderate/admin/moderators",
        data={
            "email": "new@news.example",
            "password": "a long enough password",
            "role": "moderator",
        },
    )
    assert response.status_code == 302
    console.post("/moderate/logout")

    login = console.post(
        "/moderate/login", data={"email": "new@news.example", "password": "a long enough password"}
    )
    assert login.headers["Location"] == "/moderate/"


def test_an_admin_adds_a_site_and_sees_its_key_once(console, client):
    console.login("chief@news.example", "--admin")
    response = console.post("/moderate/admin/sites", data={"name": "gazette"})

    assert response.status_code == 201
    key = re.search(r'class="secret">([^<]+)<', response.text).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        client.post(
            "/api/v1/comments", json={}, headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 422
    )
    assert "secret" not in console.get("/moderate/admin/sites").text


def test_hostile_content_is_escaped_and_only_http_links_are_linked(app, console, submit):
    comment_id = submit(**HOSTILE).json["id"]
    # Pending whatever the rules think of it; the URL as if stored before validation existed.
    update(app, comment_id, status=Status.PENDING, author_url="javascript:alert(3)")
    console.login()
    html = console.get("/moderate/").text

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "onmouseover=" not in html.replace("onmouseover=&#34;", "")
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener"' in html, (
        "the http link is linked, ending where the hostile quote begins"
    )


def test_a_form_post_approves_and_records_who_did_it(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    response = console.post(
        "/moderate/act", data={"action": "approve", "ids": comment_id, "next": "/moderate/"}
    )

    assert response.status_code == 302
    assert stored(app, comment_id).status == Status.APPROVED
    with app.app_context():
        action = db.session.scalar(sa.select(ModerationAction))
        assert (action.moderator.email, action.to_status) == ("desk@news.example", "approved")
    assert "Approved 1 comment." in console.get("/moderate/").text


def test_bulk_action_reports_each_outcome_as_json(app, console, submit):
    first, second = submit().json["id"], submit(content="Another one.").json["id"]
    console.login()
    response = console.post(
        "/moderate/act",
        data={"action": "spam", "ids": [first, second, 999]},
        headers={"Accept": "application/json"},
    )

    assert response.json["undo"] == [first, second]
    assert [r["code"] for r in response.json["results"]] == [200, 200, 404]
    assert {stored(app, first).status, stored(app, second).status} == {Status.SPAM}


def test_a_stale_version_is_refused(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    response = console.post(
        "/moderate/act",
        data={"action": "reject", "ids": comment_id, "version": 7},
        headers={"Accept": "application/json"},
    )

    assert response.json["results"][0]["code"] == 409
    assert stored(app, comment_id).status == Status.PENDING


def test_undo_within_ten_seconds_restores_the_status_and_keeps_history(app, console, submit, clock):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": comment_id})
    clock.advance(seconds=9)
    console.post("/moderate/undo", data={"ids": comment_id})

    assert stored(app, comment_id).status == Status.PENDING
    with app.app_context():
        moves = db.session.execute(
            sa.select(ModerationAction.from_status, ModerationAction.to_status)
        ).all()
    assert moves == [(Status.PENDING, Status.SPAM), (Status.SPAM, Status.PENDING)]


def test_undo_after_ten_seconds_is_refused(app, console, submit, clock):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": comment_id})
    clock.advance(seconds=11)
    response = console.post(
        "/moderate/undo", data={"ids": comment_id}, headers={"Accept": "application/json"}
    )

    assert "older than 10 s" in response.json["results"][0]["error"]
    assert stored(app, comment_id).status == Status.SPAM


def test_only_the_deciding_moderator_may_undo(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": comment_id})
    console.post("/moderate/logout")
    console.login("other@news.example")
    response = console.post(
        "/moderate/undo", data={"ids": comment_id}, headers={"Accept": "application/json"}
    )

    assert response.json["results"][0]["code"] == 409
    assert stored(app, comment_id).status == Status.APPROVED


def actions_of(app, comment_id: int) -> list[tuple[Status, Status]]:
    """The comment's recorded moves, oldest first."""
    with app.app_context():
        query = sa.select(ModerationAction.from_status, ModerationAction.to_status)
        return db.session.execute(
            query.where(ModerationAction.comment_id == comment_id).order_by(ModerationAction.id)
        ).all()


def buttons(html: str, comment_id: int) -> list[str]:
    """The labels of the action buttons in a comment's row."""
    row = html.split(f'id="comment-{comment_id}"', 1)[1]
    form = row.split('<form class="actions"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'name="action"[^>]*>(\w[\w ]*\w)', form)


def test_the_spam_folder_offers_to_confirm_only_what_nobody_decided(console, submit, score_as):
    console.login()
    marked = submit().json["id"]
    console.post("/moderate/act", data={"action": "spam", "ids": marked})
    score_as(0.95)
    routed = submit(content="Routed there by the classifier.").json["id"]

    html = console.get("/moderate/?status=spam").text

    assert buttons(html, routed) == ["Confirm spam", "Not spam", "Reject"]
    assert buttons(html, marked) == ["Not spam", "Reject"]
    assert "pending → spam by desk@news.example" in html


def test_confirming_spam_in_the_spam_folder_records_a_decision(app, console, submit, score_as):
    score_as(0.95)
    routed = submit().json["id"]
    console.login()

    response = console.post(
        "/moderate/act",
        data={"action": "spam", "ids": routed, "version": 1},
        headers={"Accept": "application/json"},
    )

    assert response.json["message"] == "Confirmed as spam: 1 comment."
    assert response.json["results"] == [
        {
            "id": routed,
            "code": 200,
            "status": "spam",
            "decision": "confirmed spam by desk@news.example",
        }
    ]
    assert response.json["undo"] == [routed]
    assert actions_of(app, routed) == [(Status.SPAM, Status.SPAM)]
    html = console.get("/moderate/?status=spam").text
    assert buttons(html, routed) == ["Not spam", "Reject"]
    assert (
        '<span class="decision" title="the latest decision">confirmed spam by desk@news.example'
        in html
    )


def test_a_published_comment_a_rule_approved_can_be_confirmed(
    app, console, submit, score_as, configure
):
    configure(trusted="below_ham_threshold")
    score_as(0.05)
    approved = submit().json["id"]
    console.login()
    assert buttons(console.get("/moderate/?status=approved").text, approved) == [
        "Confirm",
        "Unpublish",
        "Reject",
        "Spam",
    ]

    console.post("/moderate/act", data={"action": "approve", "ids": approved})

    assert "Confirmed as approved: 1 comment." in console.get("/moderate/?status=approved").text
    assert actions_of(app, approved) == [(Status.APPROVED, Status.APPROVED)]


def test_a_bulk_confirmation_says_which_comments_moved_and_which_were_confirmed(
    console, submit, score_as
):
    pending = submit().json["id"]
    score_as(0.95)
    routed = submit(content="Routed to spam.").json["id"]
    console.login()

    response = console.post(
        "/moderate/act",
        data={"action": "spam", "ids": [pending, routed]},
        headers={"Accept": "application/json"},
    )

    assert response.json["message"] == "Marked as spam: 1 comment. Confirmed as spam: 1 comment."


def test_undoing_a_confirmation_keeps_the_status_and_records_it(
    app, console, submit, score_as, clock
):
    score_as(0.95)
    routed = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": routed})
    clock.advance(seconds=9)

    response = console.post(
        "/moderate/undo", data={"ids": routed}, headers={"Accept": "application/json"}
    )

    assert response.json["results"] == [{"id": routed, "code": 200, "status": "spam"}]
    assert stored(app, routed).status == Status.SPAM
    assert stored(app, routed).version == 3
    assert actions_of(app, routed) == [(Status.SPAM, Status.SPAM), (Status.SPAM, Status.SPAM)]


def training_labels(app) -> dict[int, str]:
    """Each labelled comment's label, as a retrain reads them."""
    with app.app_context():
        rows = db.session.execute(sa.select(labels.latest_decisions()))
        return {row.comment_id: labels.LABELS[row.to_status] for row in rows}


def test_an_undone_decision_is_no_label_and_the_one_before_counts_again(
    app, console, submit, score_as, clock
):
    score_as(0.95)
    confirmed, moved, decided_twice = (submit().json["id"] for _ in range(3))
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": decided_twice})
    clock.advance(seconds=20)
    console.post("/moderate/act", data={"action": "spam", "ids": confirmed})
    console.post("/moderate/act", data={"action": "approve", "ids": [moved, decided_twice]})
    clock.advance(seconds=5)
    console.post("/moderate/undo", data={"ids": [confirmed, moved, decided_twice]})

    assert stored(app, moved).status == Status.SPAM  # back where the model sent it
    assert stored(app, decided_twice).status == Status.SPAM
    assert training_labels(app) == {decided_twice: "spam"}
    with app.app_context():
        actions = db.session.scalars(
            sa.select(ModerationAction)
            .where(ModerationAction.comment_id == moved)
            .order_by(ModerationAction.id)
        )
        history = schemas.Action(many=True).dump(actions)
    assert [(entry["from"], entry["to"], entry["undo"]) for entry in history] == [
        ("spam", "approved", False),
        ("approved", "spam", True),
    ]


def test_an_undo_cannot_itself_be_undone(app, console, submit, clock):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": comment_id})
    console.post("/moderate/undo", data={"ids": comment_id})
    response = console.post(
        "/moderate/undo", data={"ids": comment_id}, headers={"Accept": "application/json"}
    )

    assert response.json["results"][0]["code"] == 409
    assert stored(app, comment_id).status == Status.PENDING


def test_unpublish_sends_a_published_comment_back_to_the_queue(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": comment_id})
    console.post("/moderate/act", data={"action": "unpublish", "ids": comment_id})

    assert stored(app, comment_id).status == Status.PENDING


def test_unpublish_refuses_a_stale_version(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": comment_id})
    response = console.post(
        "/moderate/act",
        data={"action": "unpublish", "ids": comment_id, "version": 1},
        headers={"Accept": "application/json"},
    )

    assert response.json["results"][0]["code"] == 409
    assert stored(app, comment_id).status == Status.APPROVED


def test_unpublish_refuses_a_comment_that_is_not_published(app, console, submit):
    comment_id = submit().json["id"]
    console.login()
    response = console.post(
        "/moderate/act",
        data={"action": "unpublish", "ids": comment_id},
        headers={"Accept": "application/json"},
    )

    assert "not published" in response.json["results"][0]["error"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["casino", "high", "low"]),
        ("?sort=spam_score", ["low", "high", "casino"]),
        ("?score_min=0.5", ["casino", "high"]),
        ("?score_max=0.5", ["low"]),
        ("?q=CASINO", ["casino"]),
        ("?post=other-post", ["high"]),
    ],
)
def test_the_queue_filters_and_sorts(app, console, submit, query, expected):
    for content, score, post in [
        ("low", 0.1, "a-post"),
        ("high", 0.8, "other-post"),
        ("casino", 0.9, "a-post"),
    ]:
        update(
            app,
            submit(content=content, post_id=post).json["id"],
            spam_score=score,
            status=Status.PENDING,
        )
    console.login()
    html = console.get(f"/moderate/{query}").text

    assert re.findall(r'<div class="content">(\w+)</div>', html) == expected


def test_the_queue_sorts_by_distance_from_each_sites_threshold(
    app, console, submit, configure, create_secret
):
    configure(spam_threshold=0.5)
    create_secret("sites", "create", "gazette")
    for content, score, site in [
        ("far", 0.05, 1),
        ("unscored", None, 1),
        ("near", 0.45, 1),
        ("gazette", 0.05, 2),  # scored as "far", but the model's threshold is the gazette's
        ("nearest", 0.5, 1),
    ]:
        comment_id = submit(content=content).json["id"]
        update(app, comment_id, spam_score=score, status=Status.PENDING, site_id=site)
    with app.test_request_context():
        assert abs(0.05 - scoring.threshold()) > 0.45  # the gazette's: the model's own
    console.login()

    html = console.get("/moderate/?sort=uncertain").text

    assert re.findall(r'<div class="content">(\w+)</div>', html) == [
        "nearest",
        "near",
        "far",
        "gazette",
        "unscored",
    ]
    assert '<option value="uncertain" selected>Nearest the threshold</option>' in html


def test_a_bad_filter_is_reported_not_crashed_on(console):
    console.login()
    response = console.get("/moderate/?score_min=2")

    assert response.status_code == 422
    assert "Must be greater than or equal to 0" in response.text


def test_each_row_shows_the_authors_record(app, console, submit):
    earlier = submit().json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": earlier})
    submit(content="A second comment.")
    html = console.get("/moderate/").text

    assert '<span class="approved-count">1 approved</span>' in html


def test_stats_page_and_charts_render(app, console, submit):
    comment_id = submit().json["id"]
    update(app, comment_id, spam_score=0.4)
    console.login()
    console.post("/moderate/act", data={"action": "spam", "ids": comment_id})

    assert "Moderators vs the model" in console.get("/moderate/stats").text
    for chart in ("outcomes", "spam-rate", "scores", "overturns"):
        response = console.get(f"/moderate/stats/{chart}.svg")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
    assert console.get("/moderate/stats/nope.svg").status_code == 404


def test_cli_sets_a_console_password(runner, console, moderator_token):
    typed = "correct horse battery\ncorrect horse battery\n"
    result = runner.invoke(args=["moderators", "set-password", "ed@news.example"], input=typed)

    assert result.exit_code == 0, result.output
    assert console.login("ed@news.example", create=False).headers["Location"] == "/moderate/"


def test_cli_refuses_a_short_password_and_asks_again(runner):
    typed = "short\nshort\ncorrect horse battery\ncorrect horse battery\n"
    result = runner.invoke(
        args=["moderators", "create", "a@news.example", "--password"], input=typed
    )

    assert result.exit_code == 0
    assert "at least 12 characters" in result.output
    assert result.output.strip().splitlines()[-1].startswith("mod_")


@pytest.mark.parametrize(
    ("path", "code"),
    [("/moderate/nope", 404), ("/moderate/logout", 405), ("/moderate/admin/sites/1/x", 404)],
)
def test_an_unknown_console_url_answers_the_consoles_own_page(client, console, path, code):
    console.login()
    response = client.get(path)

    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert "Back to the queue" in response.text
    assert "desk@news.example" in response.text, "the page shows who is logged in"
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/moderately", "/nope"])
def test_unknown_urls_outside_the_console_still_answer_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert list(response.json) == ["error"]
