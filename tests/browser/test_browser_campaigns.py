"""In Chromium: a 30-comment campaign is one row of the queue, spammed in one action, undone."""

import random

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from research import campaign
from service import comments, sites
from service.db import db
from service.schemas import CommentIn
from service.tables import Comment, ModerationAction, Site, Status

READERS = [
    "Beware of anyone in these comments promising to recover your funds. Recovery services "
    "that contact you first are scams; go through the official administrator.",
    "I had $3,000 on that exchange. The administrators say creditors may get 20% back, in "
    "about 5 years.",
    "Why did the regulator let them advertise on the football shirts for two whole seasons?",
]


@pytest.fixture(scope="module")
def posted(servers) -> dict[str, list[int]]:
    """The crypto-recovery campaign in 30 wordings among readers, submitted as the API does."""
    rng = random.Random(17)
    wordings = [campaign.spam(rng) for _ in range(30)]
    readers = [{**campaign.ham(rng), "content": text} for text in READERS]
    with servers.app.app_context():
        site = db.session.get(Site, servers.site_id)
        # Every comment waits for a moderator, whatever the model thinks of the pitch.
        sites.save(site, sites.changed(site, {"spam_threshold": 1.0}), None, "test setup")
        db.session.commit()
        ids = {"campaign": [], "readers": []}
        for n, (kind, record) in enumerate(
            [("campaign", w) for w in wordings] + [("readers", r) for r in readers]
        ):
            body = {name: record[name] for name in ("post_id", "author_name", "author_email")}
            body.update(content=record["content"], user_ip=f"198.51.100.{n}")
            ids[kind].append(comments.submit(site, CommentIn().load(body), screen=False).id)
    return ids


def statuses(servers, ids: list[int]) -> set[Status]:
    with servers.app.app_context():
        return set(db.session.scalars(sa.select(Comment.status).where(Comment.id.in_(ids))))


def decisions(servers, ids: list[int]) -> int:
    with servers.app.app_context():
        query = sa.select(sa.func.count()).where(ModerationAction.comment_id.in_(ids))
        return db.session.scalar(query)


def test_a_moderator_spams_a_thirty_comment_campaign_in_one_action_then_undoes_it(
    page, servers, login, screenshot, posted
):
    login()
    group = page.locator(".comment.campaign")
    expect(group).to_have_count(1)
    expect(group.locator(".campaign-title")).to_have_text("30 similar comments")
    expect(page.locator(".comment:not(.campaign)")).to_have_count(len(READERS))
    expect(group.locator(".content mark").first).to_be_visible()
    screenshot("campaign-queue")
    group.get_by_text("Show the 30 comments").click()
    expect(group.locator(".member")).to_have_count(30)
    screenshot("campaign-members")

    group.get_by_role("button", name="Spam all 30").click()

    expect(page.locator("#toast")).to_contain_text("Marked as spam: 30 comments.")
    expect(page.locator(".comment.campaign")).to_have_count(0)
    expect(page.locator(".comment")).to_have_count(len(READERS))
    assert statuses(servers, posted["campaign"]) == {Status.SPAM}
    assert decisions(servers, posted["campaign"]) == 30

    page.keyboard.press("u")

    expect(page.locator("#toast")).to_contain_text("Undid the decision on 30 comments.")
    expect(page.locator(".comment.campaign .campaign-title")).to_have_text("30 similar comments")
    assert statuses(servers, posted["campaign"]) == {Status.PENDING}
    assert decisions(servers, posted["campaign"]) == 60
    assert statuses(servers, posted["readers"]) == {Status.PENDING}
    assert page.errors == []
