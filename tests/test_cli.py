"""The command line: secrets printed once and stored hashed, migrations idempotent."""

import pytest
import sqlalchemy as sa
from support import CONSOLE_PASSWORD, count_comments

from service.db import db
from service.tables import Moderator, Site


def test_site_key_is_printed_alone_on_the_last_line_and_stored_hashed(app, runner):
    result = runner.invoke(args=["sites", "create", "news"])

    assert result.exit_code == 0
    key = result.output.splitlines()[-1]
    assert key.startswith("site_") and " " not in key
    with app.app_context():
        site = db.session.scalar(sa.select(Site))
        assert site.name == "news"
        assert key.partition(".")[2] not in site.key_hash
        assert key.partition(".")[0] == site.key_id


def test_moderator_token_is_printed_and_stored_hashed(app, runner):
    result = runner.invoke(args=["moderators", "create", "ed@news.example", "--admin"])

    assert result.exit_code == 0
    token = result.output.splitlines()[-1]
    assert token.startswith("mod_")
    with app.app_context():
        moderator = db.session.scalar(sa.select(Moderator))
        assert (moderator.email, moderator.role, moderator.site_id) == (
            "ed@news.example",
            "admin",
            None,
        )
        assert token.partition(".")[2] not in moderator.key_hash


def test_each_secret_is_new(create_secret):
    assert create_secret("sites", "create", "a") != create_secret("sites", "create", "b")


def test_duplicate_names_are_refused(runner):
    runner.invoke(args=["sites", "create", "news"])
    result = runner.invoke(args=["sites", "create", "news"])

    assert result.exit_code == 1
    assert "site 'news' already exists" in result.output


def test_moderator_for_an_unknown_site_is_refused(app, runner):
    result = runner.invoke(args=["moderators", "create", "ed@news.example", "--site", "nope"])

    assert result.exit_code == 1
    assert "no site named 'nope'" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Moderator)) == 0


def test_db_upgrade_is_idempotent(runner):
    first = runner.invoke(args=["db", "upgrade"])
    second = runner.invoke(args=["db", "upgrade"])

    assert first.exit_code == second.exit_code == 0
    assert "database at heads" in second.output


def login(client, email: str, password: str = CONSOLE_PASSWORD):
    """Log in to the console with the session's CSRF token; return the response."""
    with client.session_transaction() as session:
        token = session.setdefault("csrf", "test-csrf-token")
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post("/moderate/login", data=data)


@pytest.mark.parametrize(
    ("created", "typed"),
    [
        ("desk@newsroom.test", "desk@newsroom.test"),
        ("desk@intranet", "desk@intranet"),
        ("ed@NEWS.example", "ed@news.example"),
        (" ed@news.example ", "ed@news.example"),
    ],
)
def test_whoever_the_cli_creates_can_log_in_as_the_form_reads_the_address(
    client, console_account, created, typed
):
    console_account(created)

    assert login(client, typed).headers["Location"] == "/moderate/"


@pytest.mark.parametrize("email", ["not an email", "desk@host.local", "desk@@news.example"])
def test_the_cli_refuses_an_address_the_login_form_would_refuse(app, runner, email):
    result = runner.invoke(args=["moderators", "create", email])

    assert result.exit_code == 2
    assert "Not a valid email address" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Moderator)) == 0


def test_readers_emails_stay_strict_about_special_use_domains(app, submit):
    response = submit(author_email="reader@newsroom.test")

    assert response.status_code == 422
    assert "author_email" in response.json["errors"]
    assert count_comments(app) == 0
