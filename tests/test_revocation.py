"""Revocation: rotated secrets, disabled moderators and ended sessions are refused at once."""

import pytest
import sqlalchemy as sa
from support import bearer

from service.db import db
from service.tables import ModerationAction, Moderator

EMAIL = "desk@news.example"


@pytest.fixture
def other_worker(make_app):
    """A second app on the same database, as another gunicorn worker would be."""
    return make_app().test_client()


def copied_cookie(client) -> str:
    """The value of the client's console session cookie, as an attacker would copy it."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """Open the console queue from a fresh browser holding only the copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/moderate/")


def logged_in(response) -> bool:
    return response.status_code == 200 and EMAIL in response.text


def invoke(runner, *args: str, typed: str | None = None):
    result = runner.invoke(args=list(args), input=typed)
    assert result.exit_code == 0, result.output
    return result


def test_a_copied_cookie_is_refused_after_logout(app, client, console):
    console.login()
    cookie = copied_cookie(client)
    assert logged_in(replay(app, cookie))

    console.post("/moderate/logout")

    assert not logged_in(replay(app, cookie))
    assert replay(app, cookie).headers["Location"].startswith("/moderate/login")


def test_logging_out_ends_every_session_of_that_moderator(app, client, console):
    console.login()
    other_browser = copied_cookie(client)
    console.post("/moderate/logout")
    console.login(create=False)

    assert logged_in(console.get("/moderate/"))
    assert not logged_in(replay(app, other_browser))


def test_a_password_change_ends_every_session(app, client, console, runner):
    console.login()
    cookie = copied_cookie(client)
    typed = "a brand new password\na brand new password\n"
    invoke(runner, "moderators", "set-password", EMAIL, typed=typed)

    assert not logged_in(replay(app, cookie))
    assert not logged_in(console.get("/moderate/"))


def test_a_disabled_moderator_is_refused_everywhere_and_keeps_its_history(
    app, client, console, runner, submit, create_secret
):
    comment_id = submit().json["id"]
    console.login()
    token = create_secret("moderators", "rotate-token", EMAIL)
    console.post("/moderate/act", data={"action": "approve", "ids": comment_id})
    cookie = copied_cookie(client)

    invoke(runner, "moderators", "disable", EMAIL)

    assert not logged_in(replay(app, cookie))
    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 401
    login = console.login(create=False)
    assert login.status_code == 401 and not logged_in(console.get("/moderate/"))
    with app.app_context():
        moderator = db.session.scalar(sa.select(Moderator).where(Moderator.email == EMAIL))
        assert moderator.disabled_at is not None
        actions = db.session.scalars(sa.select(ModerationAction)).all()
        assert [action.moderator_id for action in actions] == [moderator.id]


def test_an_enabled_moderator_may_log_in_and_use_its_token_again(
    client, console, runner, create_secret
):
    console.login()
    token = create_secret("moderators", "rotate-token", EMAIL)
    invoke(runner, "moderators", "disable", EMAIL)
    invoke(runner, "moderators", "enable", EMAIL)

    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 200
    assert console.login(create=False).headers["Location"] == "/moderate/"


def test_a_rotated_moderator_token_is_refused_at_once_on_every_worker(
    client, other_worker, moderator_token, create_secret
):
    assert other_worker.get("/api/v1/queue", headers=bearer(moderator_token)).status_code == 200

    new_token = create_secret("moderators", "rotate-token", "ed@news.example")

    refused = other_worker.get("/api/v1/queue", headers=bearer(moderator_token))
    assert (refused.status_code, refused.json) == (401, {"error": "invalid token"})
    assert other_worker.get("/api/v1/queue", headers=bearer(new_token)).status_code == 200
    assert new_token.startswith("mod_") and new_token != moderator_token


def test_a_rotated_site_key_is_refused_at_once_on_every_worker(
    other_worker, site_key, create_secret, valid_comment, clock
):
    def post(key: str, content: str):
        body = valid_comment(content=content)
        return other_worker.post("/api/v1/comments", json=body, headers=bearer(key))

    assert post(site_key, "Before the rotation.").status_code == 201

    new_key = create_secret("sites", "rotate-key", "news")

    assert post(site_key, "With the old key.").status_code == 401
    clock.advance(seconds=15)  # the reader's next comment, past the flood interval
    assert post(new_key, "With the new key.").status_code == 201
    assert new_key.startswith("site_") and new_key != site_key


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sites", "rotate-key", "nowhere"], "no site named 'nowhere'"),
        (["moderators", "rotate-token", "nobody@news.example"], "no moderator"),
        (["moderators", "disable", "nobody@news.example"], "no moderator"),
        (["moderators", "enable", "nobody@news.example"], "no moderator"),
    ],
)
def test_revoking_something_unknown_says_so(runner, args, message):
    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert message in result.output
