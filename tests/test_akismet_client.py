"""A real Akismet client from PyPI (`akismet`) against the service under gunicorn, as deployed."""

import akismet
import httpx
import pytest
import sqlalchemy as sa
from live import commands, gunicorn

from service.db import create_engine


class ToModerato(httpx.HTTPTransport):
    """Send what the client addresses to Akismet's host to Moderato instead (README shows it)."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base = httpx.URL(base_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        return super().handle_request(request)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A site with an Akismet key, served by gunicorn on SQLite; yield (client, engine).

    One server for the module: starting gunicorn costs more than the calls it serves, and
    the protocol's logic is tested on both databases in test_akismet.py.
    """
    folder = tmp_path_factory.mktemp("akismet-client")
    database_url = f"sqlite:///{folder / 'moderato.db'}"
    with commands(database_url) as cli:
        cli("db", "upgrade")
        cli("sites", "create", "blog")
        key = cli("sites", "akismet-key", "blog")
    with gunicorn({"DATABASE_URL": database_url}, folder) as server:
        http = httpx.Client(
            transport=ToModerato(server.base),
            headers={"User-Agent": akismet.USER_AGENT},
            timeout=10,
        )
        config = akismet.Config(key=key, url="https://blog.example")
        with akismet.SyncClient.validated_client(config=config, http_client=http) as client:
            engine = create_engine(database_url)
            yield client, engine
            engine.dispose()


def statuses(engine) -> dict[str, str]:
    """Each stored comment's status, by its content."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT content, status FROM comments")).all()
    return dict(rows)


READER = {
    "comment_type": "comment",
    "comment_author": "Aigerim",
    "comment_author_email": "aigerim@example.kz",
    "comment_content": "My uncle has been missing since 2018. Thank you for writing about them.",
    "permalink": "https://blog.example/relatives-of-missing-kazakhs",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
}


def test_verify_key_and_a_wrong_key(served):
    client, _ = served

    assert client.verify_key() is True
    assert client.verify_key(key="0123456789ab", url="https://blog.example") is False


def test_comment_check_answers_ham_spam_and_discard(served):
    client, engine = served
    spam = {
        **READER,
        "comment_author": "akismet-guaranteed-spam",
        "comment_author_email": "seller@spam.example",
        "comment_content": "Buy now",
    }
    trapped = {
        **READER,
        "comment_author_email": "bot@spam.example",
        "comment_content": "A bot filled the field no reader sees",
        "honeypot_field_name": "comment_context",
        "comment_context": "filled in by a bot",
    }

    ham = client.comment_check("203.0.113.7", **READER)
    caught = client.comment_check("203.0.113.8", **spam)
    dropped = client.comment_check("203.0.113.9", **trapped)

    assert (ham, caught, dropped) == (
        akismet.CheckResponse.HAM,
        akismet.CheckResponse.SPAM,
        akismet.CheckResponse.DISCARD,
    )
    expected = {
        READER["comment_content"]: "pending",
        "Buy now": "spam",
        "A bot filled the field no reader sees": "spam",
    }
    assert {content: statuses(engine)[content] for content in expected} == expected


def test_submit_spam_and_ham_become_decisions(served):
    client, engine = served
    reader = {**READER, "comment_author_email": "dana@example.org", "comment_content": "Thanks."}
    client.comment_check("203.0.113.10", **reader)

    assert client.submit_spam("203.0.113.10", **reader) is True
    assert statuses(engine)["Thanks."] == "spam"
    assert client.submit_ham("203.0.113.10", **reader) is True
    assert statuses(engine)["Thanks."] == "approved"
    with engine.connect() as connection:
        history = connection.execute(
            sa.text(
                "SELECT to_status, via FROM moderation_actions JOIN comments "
                "ON comments.id = comment_id WHERE content = 'Thanks.' "
                "ORDER BY moderation_actions.id"
            )
        ).all()
    assert [status for status, _ in history] == ["spam", "approved"]
    assert all(via.startswith("a moderator via akismet.py/") for _, via in history)
