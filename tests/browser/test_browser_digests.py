"""In Chromium: a digest's Approve link asks, approves once, then refuses; the Email page."""

import re

import pytest
from mailserver import MailServer, body
from playwright.sync_api import expect

from service import worker
from service.db import db
from service.tables import Comment, Status

DESK = "desk@news.example"


@pytest.fixture
def mailing(servers):
    """Moderato mailing through a real SMTP server, its links pointing at itself."""
    server = MailServer().start()
    settings = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_DEFAULT_SENDER": "moderato@news.example",
        "PUBLIC_URL": servers.moderato,
    }
    before = {key: servers.app.config[key] for key in settings}
    servers.app.config.update(settings)
    yield server
    server.stop()
    servers.app.config.update(before)


def statuses(servers, ids: list[int]) -> list[Status]:
    """The comments' statuses, sorted."""
    with servers.app.app_context():
        return sorted(db.session.get(Comment, comment_id).status for comment_id in ids)


def test_a_digest_link_asks_then_approves_once(page, servers, mailing, screenshot):
    runner = servers.app.test_cli_runner()
    assert runner.invoke(args=["moderators", "digest", DESK, "--site", "news"]).exit_code == 0
    # Seeded a day and more ago but for the first, which is too new to mail yet.
    ids = servers.seed(
        3,
        author_name="Aigerim",
        content="My uncle has been missing since 2018. Thank you for reporting on this.",
        reasons=["score 0.37 < spam threshold 0.90"],
        spam_score=0.37,
    )
    worker.Worker(servers.app).run_once()
    [message] = mailing.messages
    page.set_content(body(message, "html"))
    screenshot("digest-email")
    approve = re.search(r"^Approve: (\S+)$", body(message, "plain"), re.M).group(1)

    page.goto(approve)
    expect(page.get_by_role("heading", name="Approve this comment?")).to_be_visible()
    expect(page.get_by_text(f"You act as {DESK}")).to_be_visible()
    screenshot("digest-confirm")
    assert statuses(servers, ids) == [Status.PENDING] * 3  # opening the link decided nothing

    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Approved")).to_be_visible()
    assert statuses(servers, ids) == [Status.APPROVED, Status.PENDING, Status.PENDING]

    page.goto(approve)
    expect(page.get_by_role("alert")).to_contain_text("This link no longer works: it was used")
    screenshot("digest-link-used")
    assert page.errors == []


def test_a_moderator_turns_digests_on_in_the_email_page(page, servers, login, screenshot):
    login(DESK)
    page.get_by_role("link", name="Email").click()
    expect(page.get_by_role("status")).to_contain_text("Email is off.")

    page.get_by_label("Digests of news").select_option("on")
    page.get_by_label("At most one email every … minutes").fill("30")
    page.get_by_role("button", name="Save news").click()

    expect(page.locator("#toast")).to_contain_text("at most one email every 30 minutes")
    expect(page.get_by_label("Digests of news")).to_have_value("on")
    screenshot("digest-preferences")
    assert page.errors == []
