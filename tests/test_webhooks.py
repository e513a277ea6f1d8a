"""Webhooks: signed deliveries from the outbox to a real HTTP endpoint, retried, claimed once."""

import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from receiver import Receiver

from service import sites, webhooks, worker
from service.db import db
from service.imports import Imported, store
from service.settings import WEBHOOK_EVENTS
from service.tables import Comment, ModerationAction, Status, WebhookDelivery

JOB = next(job for job in worker.JOBS if job.name == "webhooks")
README = Path(__file__).resolve().parents[1] / "README.md"
READER_EMAIL, READER_IP = "aigerim@example.kz", "203.0.113.7"  # the submit fixture's


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def hook(configure, create_secret, receiver):
    """List the receiver as the news site's endpoint; return the secret the CLI printed."""

    def listen(*events: str, secret: bool = True) -> str | None:
        configure(
            webhooks=[{"url": f"{receiver.url}/hooks", "events": list(events or WEBHOOK_EVENTS)}],
            flood_per_minute=None,
            flood_interval_seconds=0,
        )
        return create_secret("sites", "webhook-secret", "news") if secret else None

    return listen


@pytest.fixture
def pending(submit, score_as):
    """Post a comment that waits for a moderator (score 0.5, spam threshold 0.9); its id."""

    def post(**fields) -> int:
        score_as(0.5)
        body = submit(**fields).get_json()
        assert body["status"] == "pending", body
        return body["id"]

    return post


@pytest.fixture
def decide(moderator):
    """Decide a comment through the moderator API: approve, reject or spam."""

    def act(comment_id: int, action: str) -> None:
        response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": action})
        assert response.status_code == 200, response.get_json()

    return act


def deliver(app) -> None:
    """Run the worker's webhook job once, as one poll does (its errors raised, not logged)."""
    with app.app_context():
        JOB.run()


def outbox(app) -> list[WebhookDelivery]:
    """Every delivery in the outbox, oldest first."""
    with app.app_context():
        return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def queue_tests(app, count: int) -> None:
    """Queue `count` test events to the news site's endpoints."""
    with app.app_context():
        site = sites.named("news")
        for _ in range(count):
            webhooks.send_test(site)
        db.session.commit()


def readme_verify():
    """The README's verification example, run as a site would: returns its `verify`."""
    section = README.read_text().split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 10
    scope = {}
    exec(code, scope)  # the documented example itself, so the docs cannot drift
    return scope["verify"]


def test_a_published_comment_reaches_the_endpoint_signed_with_the_cli_secret(
    app, hook, receiver, pending, decide
):
    secret = hook()
    comment_id = pending(content="Thank you for reporting on this.")
    decide(comment_id, "approve")
    assert receiver.received == []  # nothing is sent inside the request

    deliver(app)

    [request] = receiver.received
    verify = readme_verify()
    assert verify(secret, request.body, request.headers["X-Moderato-Signature"])
    assert not verify("another secret", request.body, request.headers["X-Moderato-Signature"])
    assert not verify(secret, request.body + b" ", request.headers["X-Moderato-Signature"])
    body = json.loads(request.body)
    assert body["type"] == "comment.published" == request.headers["X-Moderato-Event"]
    assert body["id"] == request.headers["X-Moderato-Delivery"]
    assert body["site"] == "news"
    assert body["comment"]["id"] == comment_id
    assert body["comment"]["content"] == "Thank you for reporting on this."
    assert set(body["comment"]) == {
        "id",
        "post_id",
        "parent_id",
        "author_name",
        "author_url",
        "content",
        "created_at",
    }
    assert READER_EMAIL.encode() not in request.body
    assert READER_IP.encode() not in request.body
    assert request.headers["Content-Type"] == "application/json"
    [row] = outbox(app)
    assert row.delivered_at is not None and row.attempts == 1 and row.next_attempt_at is None


def test_the_secret_is_never_logged(app, hook, receiver, pending, decide, caplog):
    caplog.set_level("DEBUG")
    receiver.answer(500)
    secret = hook()
    decide(pending(), "approve")

    deliver(app)

    assert secret not in caplog.text
    with app.app_context():
        assert sites.named("news").webhook_seed != secret  # what is stored is not the secret


def test_a_new_secret_replaces_the_old_one(app, hook, receiver, pending, decide, create_secret):
    old = hook()
    new = create_secret("sites", "webhook-secret", "news")
    decide(pending(), "approve")

    deliver(app)

    [request] = receiver.received
    verify = readme_verify()
    assert new != old
    assert verify(new, request.body, request.headers["X-Moderato-Signature"])
    assert not verify(old, request.body, request.headers["X-Moderato-Signature"])


def test_the_cli_refuses_a_site_that_does_not_exist(runner):
    result = runner.invoke(args=["sites", "webhook-secret", "nowhere"])

    assert result.exit_code != 0
    assert "no site named 'nowhere'" in result.output


def events_of(app) -> list[tuple[int | None, str]]:
    """(comment id, event) of each delivery queued, in order."""
    return [(row.comment_id, row.event) for row in outbox(app)]


def test_moderators_decisions_fire_published_unpublished_and_spam(
    app, hook, pending, decide, moderator
):
    hook()
    first, second = pending(), pending()

    decide(first, "approve")  # published
    decide(first, "approve")  # repeating a decision changes nothing
    decide(first, "reject")  # unpublished
    decide(second, "spam")  # spam
    decide(second, "approve")  # published
    decide(second, "spam")  # unpublished, and spam

    assert events_of(app) == [
        (first, "comment.published"),
        (first, "comment.unpublished"),
        (second, "comment.spam"),
        (second, "comment.published"),
        (second, "comment.unpublished"),
        (second, "comment.spam"),
    ]


def test_the_consoles_decisions_undo_and_unpublish_fire_too(app, hook, pending, console):
    hook()
    comment_id = pending()
    console.login("chief@news.example", "--admin")

    for form in ({"action": "approve"}, None, {"action": "approve"}, {"action": "unpublish"}):
        path = "/moderate/act" if form else "/moderate/undo"
        assert console.post(path, data={"ids": comment_id, **(form or {})}).status_code < 400

    published, unpublished = "comment.published", "comment.unpublished"
    assert [event for _, event in events_of(app)] == [published, unpublished] * 2


def test_an_endpoint_gets_only_the_events_it_chose(app, hook, receiver, pending, decide):
    hook("comment.spam")
    decide(pending(), "approve")
    decide(pending(), "spam")

    deliver(app)

    assert [json.loads(r.body)["type"] for r in receiver.received] == ["comment.spam"]


def test_routing_at_submission_fires_published_and_spam(app, hook, configure, submit, score_as):
    hook()
    configure(trusted="below_ham_threshold")
    score_as(0.05)
    approved = submit().get_json()
    score_as(0.95)
    spam = submit().get_json()
    score_as(0.5)
    waiting = submit().get_json()

    assert (approved["status"], spam["status"], waiting["status"]) == (
        "approved",
        "spam",
        "pending",
    )
    assert events_of(app) == [
        (approved["id"], "comment.published"),
        (spam["id"], "comment.spam"),
    ]


def test_a_decision_the_outbox_cannot_store_is_not_stored_either(
    app, hook, pending, moderator, refuse_webhooks
):
    hook()
    comment_id = pending()

    refuse_webhooks()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered and logged as in production
    response = moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": "approve"})

    assert response.status_code >= 500
    with app.app_context():
        assert db.session.get(Comment, comment_id).status == Status.PENDING
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0


_REFUSE = {
    "sqlite": (
        "CREATE TRIGGER refuse_hooks BEFORE INSERT ON webhook_deliveries "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
        "DROP TRIGGER refuse_hooks",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse_hooks() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full' "
        "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql; CREATE TRIGGER refuse_hooks "
        "BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse_hooks()",
        "DROP TRIGGER refuse_hooks ON webhook_deliveries; DROP FUNCTION refuse_hooks()",
    ),
}


@pytest.fixture
def refuse_webhooks(app):
    """Make the database refuse every outbox row, as a full disk would, until the test ends."""
    created = []

    def refuse() -> None:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(_REFUSE[db.engine.dialect.name][0])
        created.append(True)

    yield refuse
    if created:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(_REFUSE[db.engine.dialect.name][1])


@pytest.fixture
def akismet(client, create_secret, configure):
    """Post an Akismet call for the news site with its own key; the form's fields overridable."""
    key = create_secret("sites", "akismet-key", "news")

    def call(path: str, **fields) -> str:
        form = {
            "api_key": key,
            "blog": "https://news.example",
            "user_ip": "198.51.100.20",
            "comment_post_ID": "42",
            "comment_author": "Dana",
            "comment_author_email": "dana@example.org",
            "comment_content": "The council should publish the budget before the vote.",
            **fields,
        }
        response = client.post(f"/1.1/{path}", data=form)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return call


def test_the_akismet_path_fires_events(app, hook, configure, akismet, score_as):
    hook()
    configure(trusted="below_ham_threshold")
    score_as(0.05)
    assert akismet("comment-check", comment_content="Clean, so approved at once.") == "false"
    score_as(0.95)
    assert akismet("comment-check", comment_content="Spam at once.") == "true"
    score_as(0.5)
    assert akismet("comment-check", comment_content="Held, then rechecked.") == "false"
    score_as(0.05)
    akismet("comment-check", comment_content="Held, then rechecked.", recheck_reason="edit")
    score_as(0.5)
    akismet("comment-check", comment_content="Held, then Not Spam in WordPress.")
    assert akismet("submit-ham", comment_content="Held, then Not Spam in WordPress.") == (
        "Thanks for making the web a better place."
    )

    with app.app_context():
        ids = dict(db.session.execute(sa.select(Comment.content, Comment.id)).all())
    assert events_of(app) == [
        (ids["Clean, so approved at once."], "comment.published"),
        (ids["Spam at once."], "comment.spam"),
        (ids["Held, then rechecked."], "comment.published"),
        (ids["Held, then Not Spam in WordPress."], "comment.published"),
    ]


def test_an_import_of_history_fires_nothing(app, hook):
    hook()
    items = [
        Imported(
            source_id=str(n),
            post_id="42",
            content=f"An old comment, number {n}.",
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            created_at=sites_clock(app) - timedelta(days=400 + n),
            status=status,
            user_ip="198.51.100.7",
        )
        for n, status in enumerate((Status.APPROVED, Status.SPAM, Status.PENDING))
    ]
    with app.app_context():
        report = store.run(sites.named("news"), "WordPress", items, print, lambda _report: None)
    assert sum(report.added.values()) == 3

    assert outbox(app) == []


def sites_clock(app):
    """The app's now."""
    return app.config["CLOCK"]()


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(
    app, hook, receiver, pending, decide, clock
):
    secret = hook()
    receiver.answer(500, 503)
    decide(pending(), "approve")

    deliver(app)
    [row] = outbox(app)
    wait = row.next_attempt_at - clock.now
    assert (row.attempts, row.last_error) == (1, "HTTP 500 Internal Server Error")
    assert webhooks.FIRST_RETRY / 2 <= wait <= webhooks.FIRST_RETRY

    deliver(app)  # not due yet: nothing is sent
    assert len(receiver.received) == 1

    clock.now = row.next_attempt_at
    deliver(app)
    [row] = outbox(app)
    assert (row.attempts, row.last_error) == (2, "HTTP 503 Service Unavailable")
    assert row.delivered_at is None

    clock.now = row.next_attempt_at
    deliver(app)

    [row] = outbox(app)
    assert row.delivered_at == clock.now and row.attempts == 3
    assert len(receiver.received) == 3
    first, *retries = receiver.received
    assert all(retry.body == first.body for retry in retries)
    ids = {r.headers["X-Moderato-Delivery"] for r in receiver.received}
    assert ids == {json.loads(first.body)["id"]}
    assert readme_verify()(secret, first.body, retries[-1].headers["X-Moderato-Signature"])


def test_a_failing_endpoint_is_retried_with_growing_waits_for_a_day_then_given_up(
    app, hook, receiver, pending, decide, clock
):
    hook()
    receiver.answer(*[500] * 100)
    decide(pending(), "approve")
    created = outbox(app)[0].created_at

    waits = []
    while True:
        deliver(app)
        [row] = outbox(app)
        if row.next_attempt_at is None:
            break
        waits.append(row.next_attempt_at - clock.now)
        clock.now = row.next_attempt_at

    assert row.failed_at == clock.now and row.delivered_at is None
    assert (
        webhooks.RETRY_FOR <= row.failed_at - created < webhooks.RETRY_FOR + webhooks.LONGEST_WAIT
    )
    assert len(receiver.received) == row.attempts == len(waits) + 1
    for failures, wait in enumerate(waits, 1):
        ceiling = min(webhooks.FIRST_RETRY * 2 ** (failures - 1), webhooks.LONGEST_WAIT)
        assert ceiling / 2 <= wait <= ceiling
    clock.advance(days=1)
    deliver(app)
    assert len(receiver.received) == row.attempts  # given up: never sent again


def test_a_redirect_is_not_followed(app, hook, receiver, pending, decide):
    hook()
    receiver.answer(302)
    decide(pending(), "approve")

    deliver(app)

    assert len(receiver.received) == 1
    [row] = outbox(app)
    assert row.last_error == "HTTP 302: redirected to http://example.org/elsewhere, not followed"
    assert row.delivered_at is None


def test_an_endpoint_that_does_not_answer_is_retried(app, hook, receiver, pending, decide):
    hook()
    decide(pending(), "approve")
    receiver.stop()  # the port now refuses connections

    deliver(app)

    [row] = outbox(app)
    assert row.last_error.startswith("ConnectionError:")
    assert row.attempts == 1 and row.next_attempt_at is not None


def test_a_url_the_site_no_longer_lists_is_not_sent_to(
    app, hook, receiver, pending, decide, configure
):
    hook()
    decide(pending(), "approve")
    configure(webhooks=[])

    deliver(app)

    assert receiver.received == []
    [row] = outbox(app)
    assert row.failed_at is not None and row.next_attempt_at is None
    assert row.last_error == "the site no longer lists this endpoint"


def test_without_a_secret_deliveries_wait_for_one(
    app, hook, receiver, pending, decide, clock, create_secret
):
    hook(secret=False)
    decide(pending(), "approve")

    deliver(app)
    assert receiver.received == []
    [row] = outbox(app)
    assert "flask --app wsgi sites webhook-secret" in row.last_error

    secret = create_secret("sites", "webhook-secret", "news")
    clock.now = row.next_attempt_at
    deliver(app)

    [request] = receiver.received
    assert readme_verify()(secret, request.body, request.headers["X-Moderato-Signature"])


def test_a_restart_between_attempts_loses_nothing(
    app, make_app, hook, receiver, pending, decide, clock
):
    hook()
    receiver.answer(500)
    decide(pending(), "approve")
    deliver(app)
    [failed] = outbox(app)

    restarted = make_app()  # a new process on the same database, after the first is gone
    with app.app_context():
        db.engine.dispose()
    clock.now = failed.next_attempt_at
    deliver(restarted)

    [row] = outbox(restarted)
    assert row.delivered_at is not None and row.attempts == 2
    assert [r.headers["X-Moderato-Delivery"] for r in receiver.received] == [failed.event_id] * 2


def test_a_worker_that_died_mid_batch_leaves_its_claim_to_another(
    app, make_app, hook, receiver, clock
):
    hook()
    queue_tests(app, 3)
    with app.app_context():
        assert len(webhooks.claim("died:1:abc", webhooks.BATCH)) == 3  # then never sent them

    other = make_app()
    deliver(other)
    assert receiver.received == []  # claimed: no other worker sends them meanwhile

    clock.advance(seconds=webhooks.CLAIM.total_seconds() + 1)
    deliver(other)

    assert len(receiver.received) == 3
    assert all(row.delivered_at is not None for row in outbox(other))


def test_a_claimed_delivery_is_claimed_by_no_other_worker(app, hook, clock):
    hook()
    queue_tests(app, 15)

    with app.app_context():
        first = webhooks.claim("worker:1:a", 10)
        second = webhooks.claim("worker:2:b", 10)
        third = webhooks.claim("worker:2:b", 10)
    clock.advance(seconds=webhooks.CLAIM.total_seconds() + 1)
    with app.app_context():
        expired = webhooks.claim("worker:3:c", 20)

    assert (len(first), len(second), third) == (10, 5, [])
    assert not {row.id for row in first} & {row.id for row in second}
    assert len(expired) == 15


def test_two_workers_at_once_never_deliver_the_same_event_twice(app, make_app, hook, receiver):
    hook()
    receiver.delay = 0.02  # each answer takes a moment, so the two workers' sends overlap
    queue_tests(app, 40)
    apps = [make_app(), make_app()]
    start = threading.Barrier(len(apps))
    errors = []

    def work(worker_app):
        start.wait()
        try:
            deliver(worker_app)
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=work, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [r.headers["X-Moderato-Delivery"] for r in receiver.received]
    assert errors == []
    assert len(ids) == len(set(ids)) == 40
    assert receiver.most_in_flight == 2  # both workers delivered, at the same time
    assert all(row.delivered_at is not None and row.attempts == 1 for row in outbox(app))


def test_deliveries_done_a_month_ago_are_deleted(app, hook, receiver, clock):
    hook()
    queue_tests(app, 2)
    deliver(app)
    receiver.answer(500)
    clock.advance(days=31)
    queue_tests(app, 1)  # fails: waiting for its retry

    deliver(app)

    [row] = outbox(app)
    assert row.event == "ping" and row.next_attempt_at is not None


def test_erasing_a_reader_erases_their_deliveries(app, hook, pending, decide, runner):
    hook()
    decide(pending(), "approve")

    result = runner.invoke(args=["privacy", "erase", READER_EMAIL, "--yes"])

    assert result.exit_code == 0, result.output
    assert outbox(app) == []


SPAM_ONLY = ["comment.spam"]


@pytest.mark.parametrize(
    ("webhooks_setting", "errors"),
    [
        (
            [{"url": "http://news.example/hooks", "events": SPAM_ONLY}],
            {
                "webhooks.0.url": [
                    "Must be https: plain http only to this machine (localhost, 127.0.0.1, "
                    "::1), for development."
                ]
            },
        ),
        (
            [{"url": "ftp://news.example/hooks", "events": SPAM_ONLY}],
            {"webhooks.0.url": ["Not a valid URL: https://host/path expected."]},
        ),
        (
            [{"url": "https://editor:hunter2@news.example/", "events": SPAM_ONLY}],
            {"webhooks.0.url": ["No user or password in the URL; the signature proves us."]},
        ),
        (
            [{"url": "https://news.example:http/", "events": SPAM_ONLY}],
            {"webhooks.0.url": ["Not a valid URL."]},
        ),
        (
            [{"url": "https://news.example/" + "a" * 2000, "events": SPAM_ONLY}],
            {"webhooks.0.url": ["Longer than 2000 characters."]},
        ),
        (
            [{"url": "https://news.example/hooks", "events": ["comment.deleted"]}],
            {
                "webhooks.0.events.0": [
                    "Must be one of: comment.published, comment.unpublished, comment.spam."
                ]
            },
        ),
        (
            [{"url": "https://news.example/hooks", "events": []}],
            {"webhooks.0.events": ["Choose at least one event."]},
        ),
        (
            [{"events": SPAM_ONLY}],
            {"webhooks.0.url": ["Missing data for required field."]},
        ),
        (
            [{"url": "https://news.example/hooks", "events": SPAM_ONLY, "secret": "x"}],
            {"webhooks.0.secret": ["Unknown field."]},
        ),
        (
            [{"url": "https://news.example/a", "events": SPAM_ONLY}] * 2,
            {"webhooks": ["Listed twice (put its events in one entry): https://news.example/a"]},
        ),
        (
            [{"url": f"https://news.example/{n}", "events": SPAM_ONLY} for n in range(11)],
            {"webhooks": ["Longer than maximum length 10."]},
        ),
        ("https://news.example/hooks", {"webhooks": ["Not a valid list."]}),
    ],
)
def test_invalid_webhooks_are_refused_with_the_reason_and_change_nothing(
    admin, site_key, webhooks_setting, errors
):
    listed = [{"url": "https://news.example/kept", "events": SPAM_ONLY}]
    admin.patch("/api/v1/sites/news/settings", {"webhooks": listed})

    response = admin.patch("/api/v1/sites/news/settings", {"webhooks": webhooks_setting})

    assert response.status_code == 422
    assert response.get_json()["errors"] == errors
    assert admin.get("/api/v1/sites/news/settings").get_json()["webhooks"] == listed


def test_https_and_loopback_http_endpoints_are_accepted_and_stored(admin, site_key):
    listed = [
        {"url": "https://news.example/hooks", "events": ["comment.published", "comment.spam"]},
        {"url": "http://127.0.0.1:8080/hooks", "events": ["comment.unpublished"]},
        {"url": "http://localhost/hooks", "events": ["comment.spam"]},
        {"url": "http://[::1]:9000/", "events": ["comment.spam", "comment.spam"]},
    ]

    response = admin.put("/api/v1/sites/news/settings", {"webhooks": listed})

    assert response.status_code == 200, response.get_json()
    listed[-1]["events"] = ["comment.spam"]  # each event once
    assert response.get_json()["webhooks"] == listed
    assert admin.get("/api/v1/sites/news/settings").get_json()["webhooks"] == listed


def test_the_openapi_document_describes_the_webhooks_setting(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    described = schema["SiteSettings"]["properties"]["webhooks"]["description"]
    assert "X-Moderato-Signature" in described and "comment.unpublished" in described


def site_id(app) -> int:
    with app.app_context():
        return sites.named("news").id


def test_the_console_page_lists_deliveries_and_failures(
    app, hook, receiver, pending, decide, console
):
    hook()
    receiver.answer(204, 503)
    decide(pending(), "approve")
    decide(pending(), "spam")
    deliver(app)
    console.login("chief@news.example", "--admin")

    sites_page = console.get("/moderate/admin/sites").get_data(as_text=True)
    page = console.get(f"/moderate/admin/sites/{site_id(app)}/webhooks")

    html = page.get_data(as_text=True).replace("<wbr>", "")  # URLs may break after a slash
    assert f'href="/moderate/admin/sites/{site_id(app)}/webhooks"' in sites_page
    assert page.status_code == 200
    assert f"<code>{receiver.url}/hooks</code>" in html
    assert html.count("comment.published") >= 2 and "comment.spam" in html
    assert "HTTP 503 Service Unavailable" in html
    assert re.search(r"<dt>Waiting</dt><dd>1</dd>", html)
    assert re.search(r"<dt>Delivered</dt><dd>1</dd>", html)


def test_the_console_sends_a_test_event_through_the_outbox(app, hook, receiver, console):
    secret = hook()
    console.login("chief@news.example", "--admin")
    path = f"/moderate/admin/sites/{site_id(app)}/webhooks"

    response = console.post(f"{path}/test")

    assert response.status_code == 302 and response.headers["Location"] == path
    assert "Queued a test event to 1 endpoint." in console.get(path).get_data(as_text=True)
    assert receiver.received == []  # the worker sends it, not the request
    deliver(app)
    [request] = receiver.received
    body = json.loads(request.body)
    assert (body["type"], body["comment"]) == ("ping", None)
    assert readme_verify()(secret, request.body, request.headers["X-Moderato-Signature"])


def test_a_test_event_without_endpoints_says_so_and_queues_nothing(app, site_key, console):
    console.login("chief@news.example", "--admin")
    path = f"/moderate/admin/sites/{site_id(app)}/webhooks"

    console.post(f"{path}/test")

    assert "This site lists no endpoints" in console.get(path).get_data(as_text=True)
    assert outbox(app) == []


def test_only_an_admin_of_the_site_sees_its_webhooks(app, site_key, create_secret, console):
    create_secret("sites", "create", "blog")
    path = f"/moderate/admin/sites/{site_id(app)}/webhooks"

    console.login("desk@news.example")
    assert console.get(path).status_code == 403
    assert console.post(f"{path}/test").status_code == 403
    console.login("blog-chief@news.example", "--admin", "--site", "blog")
    assert console.get(path).status_code == 404
    assert console.post(f"{path}/test").status_code == 404
    assert outbox(app) == []
