"""Email digests: what waits reaches moderators over real SMTP, and its links decide once."""

import logging
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult
from live import ROOT, free_port
from mailserver import Inbox, MailServer, body
from support import CONSOLE_PASSWORD, MODEL_DIR, SECRET

from service import digests, worker
from service.db import db
from service.tables import Comment, DigestSubscription, ModerationAction, Moderator, Status

PUBLIC_URL = "https://moderato.example.org"
EDITOR = "ed@news.example"


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


def mail_config(port: int) -> dict:
    """The settings of an app that mails through the server on that loopback port."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "Moderato <moderato@news.example>",
        "MAIL_TIMEOUT_SECONDS": 5,
        "PUBLIC_URL": PUBLIC_URL,
    }


# Nothing scores 1.0, so every comment waits; no retrain joins the worker's polls.
QUIET = {"SPAM_THRESHOLD": 1.0, "RETRAIN_AFTER_LABELS": 0, "RETRAIN_EVERY_HOURS": 0}
# No mail server, whatever the environment of the test run says.
NO_MAIL = {"MAIL_SERVER": None}


@pytest.fixture
def app(make_app, smtp):
    return make_app(**QUIET, **mail_config(smtp.port))


@pytest.fixture
def submit(submit, clock):
    """Post a comment as conftest's `submit` does, then let it settle: a digest may show it."""

    def post(**overrides):
        response = submit(**overrides)
        clock.advance(seconds=digests.SETTLE_SECONDS)
        return response

    return post


@pytest.fixture
def subscribed(runner, site_key, moderator_token):
    """The editor (ed@, the `moderator` fixture's) asks for digests of news (15 minutes)."""
    result = runner.invoke(args=["moderators", "digest", EDITOR, "--site", "news"])
    assert result.exit_code == 0, result.output


def work(app) -> None:
    """Run the worker's jobs once, as one poll does."""
    worker.Worker(app).run_once()


def links(message) -> dict[str, list[str]]:
    """The Approve and Spam links of a digest's plain-text part, in order, without the host."""
    text = body(message, "plain")
    return {
        decision: [
            urlsplit(url)._replace(scheme="", netloc="").geturl()
            for url in re.findall(rf"^{label}:\s+(\S+)$", text, re.M)
        ]
        for decision, label in (("approve", "Approve"), ("spam", "Spam"))
    }


def comment(app, comment_id: int) -> Comment:
    with app.app_context():
        return db.session.get(Comment, comment_id)


def actions(app, comment_id: int) -> list[ModerationAction]:
    with app.app_context():
        query = sa.select(ModerationAction).where(ModerationAction.comment_id == comment_id)
        return db.session.scalars(query).all()


def subscription(app) -> DigestSubscription:
    with app.app_context():
        return db.session.scalars(sa.select(DigestSubscription)).one()


def confirm(client, path: str):
    """Open a link's confirmation page and press its button, as a browser would."""
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token.group(1) if token else ""})


def test_a_digest_lists_each_waiting_comment_in_plain_text_and_html(
    app, smtp, subscribed, submit, moderator
):
    first = submit(author_name="Aigerim", content="My uncle has been missing since 2018.")
    hostile = submit(
        author_name="Mallory",
        author_email="mallory@example.org",
        content='<script>alert(1)</script> see <a href="https://spam.example">this</a>',
    )
    decided = submit(author_name="Decided Already").get_json()
    moderator.post(f"/api/v1/comments/{decided['id']}/moderate", {"action": "approve"})

    work(app)

    [message] = smtp.messages
    assert message["To"] == EDITOR
    assert message["From"] == "Moderato <moderato@news.example>"
    assert message["Subject"] == "2 comments waiting on news"
    assert message.get_content_type() == "multipart/alternative"
    text, html = body(message, "plain"), body(message, "html")
    waiting = [first.get_json(), hostile.get_json()]
    for part in (text, unescape(html)):
        assert "My uncle has been missing since 2018." in part
        assert "aigerim@example.kz" in part  # the reader's email: moderators only receive this
        assert f"{waiting[0]['spam_score']:.2f}" in part
        assert waiting[0]["reasons"][0] in part
        assert "Decided Already" not in part
    assert '<script>alert(1)</script> see <a href="https://spam.example">' in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://spam.example"' not in html
    found = links(message)
    assert len(found["approve"]) == len(found["spam"]) == 2
    assert all(
        path.startswith("/moderate/decide?token=") for path in found["approve"] + found["spam"]
    )
    assert f'href="{PUBLIC_URL}/moderate/decide?token=' in html
    assert f"{PUBLIC_URL}/moderate/me/notifications" in text


def test_nothing_waiting_sends_nothing(app, smtp, subscribed, submit, moderator):
    work(app)
    done = submit().get_json()
    moderator.post(f"/api/v1/comments/{done['id']}/moderate", {"action": "spam"})

    work(app)

    assert smtp.messages == []


def test_a_comment_is_mailed_once_it_has_settled(
    app, smtp, subscribed, client, site_headers, valid_comment, clock
):
    client.post("/api/v1/comments", json=valid_comment(), headers=site_headers)
    clock.advance(seconds=digests.SETTLE_SECONDS - 1)
    work(app)
    assert smtp.messages == []

    clock.advance(seconds=1)
    work(app)

    assert len(smtp.messages) == 1


def test_at_most_one_digest_per_n_minutes_and_each_comment_in_one(
    app, smtp, subscribed, submit, clock
):
    submit(content="The first comment.")
    work(app)
    sent_at = clock.now
    submit(content="The second comment.")  # 25 s later: conftest's pace, then the settling
    work(app)
    clock.now = sent_at + timedelta(minutes=14, seconds=59)
    work(app)
    assert len(smtp.messages) == 1

    clock.advance(seconds=1)
    work(app)
    work(app)

    first, second = smtp.messages
    assert "The first comment." in body(first, "plain")
    assert "The second comment." not in body(first, "plain")
    assert "The second comment." in body(second, "plain")
    assert "The first comment." not in body(second, "plain")


def test_a_long_queue_comes_in_parts_each_comment_once(
    app, smtp, subscribed, submit, clock, monkeypatch
):
    monkeypatch.setattr(digests, "MAX_COMMENTS", 2)
    for n in range(3):
        submit(content=f"Comment number {n}.")

    work(app)
    clock.advance(minutes=15)
    work(app)

    first, second = smtp.messages
    assert first["Subject"] == "2+ comments waiting on news"
    assert "More comments wait: the next digest brings them" in body(first, "plain")
    assert [n for n in range(3) if f"Comment number {n}." in body(first, "plain")] == [0, 1]
    assert second["Subject"] == "1 comment waiting on news"
    assert "Comment number 2." in body(second, "plain")


@pytest.mark.parametrize(
    ("decision", "status", "question", "answer"),
    [
        ("approve", Status.APPROVED, "Approve this comment?", "Approved"),
        ("spam", Status.SPAM, "Mark this comment as spam?", "Marked as spam"),
    ],
)
def test_a_link_asks_first_then_decides_as_the_moderator_once(
    app, client, smtp, subscribed, submit, decision, status, question, answer, caplog
):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])[decision]

    with caplog.at_level(logging.INFO):
        asked = client.get(path)
    assert "GET /moderate/decide 200" in caplog.text
    assert path.split("=")[1] not in caplog.text  # the access log keeps no usable link
    assert asked.status_code == 200
    assert question in asked.get_data(as_text=True)
    assert "Cache-Control" in asked.headers and asked.headers["Cache-Control"] == "no-store"
    assert comment(app, waiting["id"]).status == Status.PENDING  # a GET never decides
    assert actions(app, waiting["id"]) == []

    done = confirm(client, path)

    assert done.status_code == 200, done.get_data(as_text=True)
    assert answer in done.get_data(as_text=True)
    assert comment(app, waiting["id"]).status == status
    [action] = actions(app, waiting["id"])
    with app.app_context():
        editor = db.session.scalar(sa.select(Moderator).where(Moderator.email == EDITOR))
    assert (action.moderator_id, action.via) == (editor.id, None)
    assert (action.from_status, action.to_status) == (Status.PENDING, status)

    again = confirm(client, path)
    assert again.status_code == 409
    assert "This link no longer works: it was used" in again.get_data(as_text=True)
    assert f"It is now {status.value}, by {EDITOR}" in again.get_data(as_text=True)
    assert client.get(path).status_code == 409
    assert len(actions(app, waiting["id"])) == 1


def test_one_link_used_kills_the_other_and_a_moderators_own_decision_both(
    app, client, smtp, subscribed, submit, moderator
):
    spammed, approved = submit().get_json(), submit().get_json()
    work(app)
    found = links(smtp.messages[0])
    moderator.post(f"/api/v1/comments/{approved['id']}/moderate", {"action": "approve"})

    assert confirm(client, found["approve"][0]).status_code == 200
    assert confirm(client, found["spam"][0]).status_code == 409
    assert confirm(client, found["spam"][1]).status_code == 409
    assert comment(app, spammed["id"]).status == Status.APPROVED
    assert len(actions(app, spammed["id"])) == 1
    assert len(actions(app, approved["id"])) == 1


def test_an_expired_link_refuses_and_changes_nothing(app, client, smtp, subscribed, submit, clock):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])["approve"]
    clock.advance(hours=47, minutes=59)
    assert client.get(path).status_code == 200

    clock.advance(minutes=1)

    for response in (client.get(path), confirm(client, path)):
        assert response.status_code == 410
        assert "This link expired on" in response.get_data(as_text=True)
        assert "work for 48 hours" in response.get_data(as_text=True)
    assert comment(app, waiting["id"]).status == Status.PENDING
    assert actions(app, waiting["id"]) == []


def _flip(text: str, index: int) -> str:
    """The text with one character changed at index."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: _flip(token, 3),  # the signed fields: another comment or decision
        lambda token: _flip(token, len(token) - 2),  # the signature
        lambda token: token[: len(token) // 2],  # cut short, as a mail client may wrap it
        lambda token: token.split(".")[0] + ".",  # no signature at all
        lambda token: "",  # none
    ],
    ids=["fields", "signature", "cut", "unsigned", "none"],
)
def test_an_altered_link_refuses_and_changes_nothing(app, client, smtp, subscribed, submit, alter):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])["approve"]
    altered = "/moderate/decide?token=" + alter(path.removeprefix("/moderate/decide?token="))

    for response in (client.get(altered), confirm(client, altered)):
        assert response.status_code == 400
        assert "This link is not valid" in response.get_data(as_text=True)
    assert comment(app, waiting["id"]).status == Status.PENDING


def test_a_link_signed_with_another_secret_refuses(app, make_app, smtp, subscribed, submit, clock):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])["approve"]
    other = make_app(**QUIET, SECRET_KEY="another deployment's secret").test_client()

    assert confirm(other, path).status_code == 400
    assert comment(app, waiting["id"]).status == Status.PENDING


def test_a_disabled_moderators_link_refuses(app, client, smtp, subscribed, submit, runner):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])["approve"]

    assert runner.invoke(args=["moderators", "disable", EDITOR]).exit_code == 0

    assert confirm(client, path).status_code == 403
    assert comment(app, waiting["id"]).status == Status.PENDING


def test_a_post_without_the_pages_csrf_token_decides_nothing(app, client, smtp, subscribed, submit):
    waiting = submit().get_json()
    work(app)
    [path] = links(smtp.messages[0])["approve"]

    assert client.post(path).status_code == 400
    assert comment(app, waiting["id"]).status == Status.PENDING


def test_a_mail_server_that_is_down_is_logged_and_retried_at_the_next_poll(
    make_app, subscribed_later, submit, caplog
):
    port = free_port()  # nothing listens there yet
    app = make_app(**QUIET, **mail_config(port))
    subscribed_later(app)

    stored = submit()
    assert stored.status_code == 201
    assert stored.get_json()["status"] == "pending"
    with caplog.at_level(logging.WARNING, logger="service.digests"):
        work(app)
    assert "not sent, tried again at the next poll: ConnectionRefusedError" in caplog.text
    failed = subscription(app)
    assert failed.error.startswith("ConnectionRefusedError")
    assert (failed.mark, failed.last_sent_at, failed.claimed_by) == (0, None, None)

    server = MailServer(port).start()
    try:
        work(app)
    finally:
        server.stop()

    [message] = server.messages
    assert stored.get_json()["reasons"][0] in body(message, "plain")
    sent = subscription(app)
    assert (sent.error, sent.failed_at, sent.mark) == (None, None, stored.get_json()["id"])


@pytest.fixture
def subscribed_later(site_key, moderator_token):
    """Subscribe the editor to news on an app made in the test (another mail config)."""

    def subscribe(app) -> None:
        result = app.test_cli_runner().invoke(
            args=["moderators", "digest", EDITOR, "--site", "news", "--minutes", "15"]
        )
        assert result.exit_code == 0, result.output

    return subscribe


def test_a_silent_mail_server_times_out_instead_of_holding_the_worker(
    make_app, subscribed_later, submit
):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        app = make_app(
            **QUIET, **{**mail_config(silent.getsockname()[1]), "MAIL_TIMEOUT_SECONDS": 0.5}
        )
        subscribed_later(app)
        submit()

        started = time.monotonic()
        work(app)
        took = time.monotonic() - started

    assert took < 5
    assert "timed out" in subscription(app).error


def test_a_refused_recipient_does_not_stop_the_others(make_app, site_key, create_secret, submit):
    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("gone@"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    refusing = MailServer(inbox=Refusing()).start()
    try:
        app = make_app(**QUIET, **mail_config(refusing.port))
        for address in ("gone@news.example", EDITOR):
            create_secret("moderators", "create", address)
            subscribe = ["moderators", "digest", address, "--site", "news"]
            assert app.test_cli_runner().invoke(args=subscribe).exit_code == 0
        submit()

        work(app)
    finally:
        refusing.stop()

    assert [message["To"] for message in refusing.messages] == [EDITOR]
    with app.app_context():
        rows = db.session.scalars(sa.select(DigestSubscription).order_by(DigestSubscription.id))
        assert [row.error is not None for row in rows] == [True, False]


def test_a_claim_of_a_worker_that_died_mid_send_is_taken_over_once_it_runs_out(
    app, smtp, subscribed, submit, clock
):
    submit()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.update(DigestSubscription).values(
                claimed_by="other-host:1:abc", claimed_until=clock.now.replace(minute=2)
            )
        )

    work(app)
    assert smtp.messages == []  # another worker is at it

    clock.advance(minutes=2)
    work(app)
    assert len(smtp.messages) == 1


def test_no_public_url_no_digest_and_the_log_says_why(
    make_app, smtp, subscribed_later, submit, caplog
):
    app = make_app(**QUIET, **{**mail_config(smtp.port), "PUBLIC_URL": None})
    subscribed_later(app)
    submit()

    with caplog.at_level(logging.WARNING, logger="service.digests"):
        work(app)

    assert smtp.messages == []
    assert "1 digests due, none sent: PUBLIC_URL" in caplog.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MAIL_SERVER": None}, "No mail server is configured (MAIL_SERVER)"),
        ({"MAIL_DEFAULT_SENDER": None}, "MAIL_DEFAULT_SENDER is not"),
        ({"MAIL_USERNAME": "moderato"}, "Set both MAIL_USERNAME and MAIL_PASSWORD, or neither."),
        ({"MAIL_PORT": 0}, "MAIL_PORT must be a port number (1-65535), not 0."),
        ({"MAIL_TIMEOUT_SECONDS": 0}, "MAIL_TIMEOUT_SECONDS must be more than 0"),
        ({"PUBLIC_URL": None}, "PUBLIC_URL, the address moderators open the console at"),
        ({"PUBLIC_URL": "moderato.example.org"}, "PUBLIC_URL, the address"),
        ({"DECISION_LINK_HOURS": 0}, "DECISION_LINK_HOURS must be more than 0"),
        ({}, None),
    ],
)
def test_a_setting_that_keeps_digests_from_being_sent_is_named(app, change, message):
    trouble = digests.problem({**app.config, **change})

    assert trouble is None if message is None else message in trouble


def test_links_keep_the_path_of_the_public_url(make_app, smtp, subscribed_later, submit):
    app = make_app(**QUIET, **{**mail_config(smtp.port), "PUBLIC_URL": "https://news.example/mod/"})
    subscribed_later(app)
    submit()

    work(app)

    assert "https://news.example/mod/moderate/decide?token=" in body(smtp.messages[0], "plain")


def test_off_or_disabled_means_no_digest(app, smtp, subscribed, submit, runner):
    submit()
    assert runner.invoke(args=["moderators", "disable", EDITOR]).exit_code == 0
    work(app)
    assert smtp.messages == []

    assert runner.invoke(args=["moderators", "enable", EDITOR]).exit_code == 0
    off = ["moderators", "digest", EDITOR, "--site", "news", "--minutes", "0"]
    result = runner.invoke(args=off)
    assert result.exit_code == 0, result.output
    assert "no more digests of 'news'" in result.output
    work(app)
    assert smtp.messages == []


# STARTTLS and a login, against a server whose certificate the system is told to trust.
def test_starttls_and_login_when_configured(
    make_app, subscribed_later, submit, tmp_path, monkeypatch
):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    server = MailServer(tls_context=context, require_starttls=True, authenticator=authenticate)
    server.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    try:
        app = make_app(
            **QUIET,
            **mail_config(server.port),
            MAIL_USE_TLS=True,
            MAIL_USERNAME="moderato",
            MAIL_PASSWORD="s3cret",
        )
        subscribed_later(app)
        submit()
        work(app)
    finally:
        server.stop()

    assert logins == [(b"moderato", b"s3cret")]
    assert len(server.messages) == 1


def test_two_workers_at_once_send_one_email(make_app, smtp, subscribed, submit, monkeypatch):
    apps = [make_app(**QUIET, **mail_config(smtp.port)) for _ in range(2)]
    submit()
    # Both workers have read the due digest before either claims it.
    both_read, real_due = threading.Barrier(2), digests.due
    monkeypatch.setattr(digests, "due", lambda at: (real_due(at), both_read.wait())[0])

    threads = [threading.Thread(target=work, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(smtp.messages) == 1
    assert subscription(apps[0]).claimed_by is None


def _worker_process(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """Start `flask --app wsgi worker` polling every 0.2 s, mailing through the port."""
    config = {**QUIET, **mail_config(port), "WORKER_POLL_SECONDS": 0.2}
    env = {
        **os.environ,
        **{key: str(value) for key, value in config.items()},
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "MODEL_DIR": str(MODEL_DIR),
        "LOG_JSON": "0",
    }
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _until(condition, what: str, logs: list[Path]) -> None:
    """Wait up to a minute for the condition, failing with the workers' logs."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} in 60 s:\n" + "\n".join(log.read_text() for log in logs))
        time.sleep(0.05)


def test_two_worker_processes_polling_one_database_send_one_email(
    app, database_url, smtp, subscribed, submit, tmp_path
):
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    processes = [_worker_process(database_url, smtp.port, log) for log in logs]
    try:
        _until(lambda: all("worker started" in log.read_text() for log in logs), "start", logs)
        submit()  # now due, for both
        _until(lambda: smtp.messages, "email", logs)
        time.sleep(1)  # a few more polls of each
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
    assert [process.wait(timeout=30) for process in processes] == [0, 0]

    assert len(smtp.messages) == 1
    assert sum(log.read_text().count("digest of news sent to") for log in logs) == 1


def test_the_cli_sets_and_stops_a_digest(runner, site_key, moderator_token, app):
    set_ = runner.invoke(args=["moderators", "digest", EDITOR, "--site", "news", "--minutes", "30"])
    assert set_.exit_code == 0, set_.output
    assert f"'{EDITOR}' gets a digest of 'news' at most every 30 minutes" in set_.output
    assert subscription(app).minutes == 30

    off = runner.invoke(args=["moderators", "digest", EDITOR, "--site", "news", "--minutes", "0"])
    assert off.exit_code == 0, off.output
    assert subscription(app).minutes == 0

    default = runner.invoke(args=["moderators", "digest", EDITOR, "--site", "news"])
    assert default.exit_code == 0, default.output
    assert subscription(app).minutes == digests.DEFAULT_MINUTES


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--site", "news", "--minutes", "-1"], 2, "minutes must be from 0 (off) to 1440"),
        (["--site", "news", "--minutes", "1441"], 2, "minutes must be from 0 (off) to 1440"),
        (["--site", "news", "--minutes", "often"], 2, "'often' is not a valid integer"),
        (["--site", "sport"], 1, "no site named 'sport'"),
        (["--minutes", "15"], 2, "Missing option '--site'"),
    ],
)
def test_the_cli_refuses_bad_input_and_changes_nothing(
    runner, site_key, moderator_token, app, args, code, message
):
    result = runner.invoke(args=["moderators", "digest", EDITOR, *args])

    assert result.exit_code == code, result.output
    assert message in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(DigestSubscription)).all() == []


def test_the_cli_refuses_a_site_the_moderator_may_not_see(runner, site_key, create_secret, app):
    create_secret("sites", "create", "sport")
    create_secret("moderators", "create", "desk@news.example", "--site", "news")

    result = runner.invoke(args=["moderators", "digest", "desk@news.example", "--site", "sport"])

    assert result.exit_code == 2
    assert "desk@news.example may not see the site sport" in result.output


def test_the_cli_says_when_no_digest_can_be_sent_yet(make_app, site_key, moderator_token):
    runner = make_app(**QUIET, **NO_MAIL).test_cli_runner()

    result = runner.invoke(args=["moderators", "digest", EDITOR, "--site", "news"])

    assert result.exit_code == 0
    assert "none is sent yet: No mail server is configured (MAIL_SERVER)" in result.stderr


PREFERENCES = "/moderate/me/notifications"


def test_a_moderator_chooses_digests_for_each_site_they_may_see(
    app, console, site_key, create_secret
):
    create_secret("sites", "create", "sport")
    console.login("desk@news.example", "--site", "news")

    page = console.get(PREFERENCES).get_data(as_text=True)
    assert 'href="/moderate/me/notifications" aria-current="page">Email</a>' in page
    assert '<label for="enabled-1">Digests of news</label>' in page
    assert "sport" not in page  # not theirs
    assert "Email is off" not in page

    saved = console.post(PREFERENCES, {"site": "1", "enabled": "on", "minutes": "30"})
    assert saved.status_code == 302
    assert subscription(app).minutes == 30
    page = console.get(PREFERENCES).get_data(as_text=True)
    assert "Digests of news: at most one email every 30 minutes" in page
    assert '<option value="on" selected>' in page

    off = {"site": "1", "enabled": "", "minutes": "30"}
    assert console.post(PREFERENCES, off).status_code == 302
    assert subscription(app).minutes == 0


@pytest.mark.parametrize(
    ("form", "code", "message"),
    [
        ({"site": "1", "enabled": "on", "minutes": "0"}, 422, "From 1 to 1440 minutes"),
        ({"site": "1", "enabled": "on", "minutes": "many"}, 422, "Not a valid integer."),
        ({"site": "2", "enabled": "on", "minutes": "15"}, 404, "Not Found"),
        ({"site": "99", "enabled": "on", "minutes": "15"}, 404, "Not Found"),
        ({"site": "1", "enabled": "on", "minutes": "15", "extra": "1"}, 422, "Unknown field."),
    ],
)
def test_a_bad_preference_is_refused_and_changes_nothing(
    app, console, site_key, create_secret, form, code, message
):
    create_secret("sites", "create", "sport")
    console.login("desk@news.example", "--site", "news")

    response = console.post(PREFERENCES, form)

    assert response.status_code == code
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(DigestSubscription)).all() == []


def test_the_page_says_when_no_mail_server_is_configured(make_app, console, site_key):
    console.login()
    other = make_app(**QUIET, **NO_MAIL).test_client()
    with other.session_transaction() as session:
        session["csrf"] = "token"
    other.post(
        "/moderate/login",
        data={"csrf_token": "token", "email": "desk@news.example", "password": CONSOLE_PASSWORD},
    )

    page = other.get(PREFERENCES).get_data(as_text=True)

    assert "Email is off." in page
    assert "No mail server is configured (MAIL_SERVER), so no email is sent." in page


def test_the_page_shows_the_last_failure(make_app, console, site_key, submit):
    console.login()
    failing = make_app(**QUIET, **mail_config(free_port()))  # nothing listens there
    mine = ["moderators", "digest", "desk@news.example", "--site", "news"]
    assert failing.test_cli_runner().invoke(args=mine).exit_code == 0
    submit()
    work(failing)

    page = console.get(PREFERENCES).get_data(as_text=True)

    assert "The last send failed" in page
    assert "ConnectionRefusedError" in page
