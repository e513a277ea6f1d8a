"""In Chromium: a moderator opens a comment from the queue, reads its story, acts from there."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from service import sites
from service.clock import now
from service.db import db
from service.tables import Comment, Site, Status

POST = "council-budget-2027"


def add(servers, status: Status, minutes_ago: int, **fields) -> int:
    """Store one comment of the post as the rules left it; return its id."""
    with servers.app.app_context():
        comment = Comment(
            site_id=servers.site_id,
            post_id=POST,
            status=status,
            created_at=now() - timedelta(minutes=minutes_ago),
            model_version="seed",
            **fields,
        )
        db.session.add(comment)
        db.session.commit()
        return comment.id


def a_story(servers) -> int:
    """A held reply by an author with a record, under a published comment, with its own reply.

    The site's spam threshold is its own, so the page's words do not hang on the model's.
    """
    with servers.app.app_context():
        site = db.session.get(Site, servers.site_id)
        sites.save(site, sites.changed(site, {"spam_threshold": 0.75}), None, "test setup")
        db.session.commit()
    bolat = {"author_name": "Bolat", "author_email": "bolat@example.kz", "user_ip": "203.0.113.9"}
    add(servers, Status.APPROVED, 900, content="Good reporting.", reasons=[], **bolat)
    add(servers, Status.SPAM, 600, content="Cheap watches!", reasons=[], spam_score=0.97, **bolat)
    parent = add(
        servers,
        Status.APPROVED,
        120,
        author_name="Dana",
        author_email="dana@example.org",
        content="The council's budget cuts the library hours again.",
        reasons=["author previously approved, score 0.04 < ham threshold 0.20"],
        spam_score=0.04,
    )
    held = add(
        servers,
        Status.PENDING,
        60,
        parent_id=parent,
        author_url="https://bolat.example.kz/",
        user_agent="Mozilla/5.0 (Android 14; Mobile)",
        content="The library is where my kids do homework.\nSee the petition: https://petition.example/library",
        reasons=["score 0.64 < spam threshold 0.75", "1 links > max 0"],
        spam_score=0.64,
        **bolat,
    )
    add(
        servers,
        Status.PENDING,
        30,
        parent_id=held,
        author_name="Aigerim",
        author_email="aigerim@example.kz",
        content="Signed it, thank you.",
        reasons=["score 0.08 < spam threshold 0.75"],
        spam_score=0.08,
    )
    return held


def test_a_moderator_opens_a_comment_from_the_queue_and_marks_it_spam_there(
    page, servers, login, screenshot
):
    held = a_story(servers)
    login()
    row = page.locator(f"#comment-{held}")
    row.get_by_role("link", name="Full story of the comment by Bolat").click()

    page.wait_for_url(re.compile(rf"/moderate/comments/{held}\?back="))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Comment {held} by Bolat pending")
    expect(page.locator(".story .content")).to_contain_text("homework.\nSee the petition")
    author = page.get_by_role("region", name="Author")
    expect(author.locator(".record")).to_have_text("1 approved · 0 rejected · 1 spam")
    expect(author.get_by_role("link")).to_have_text(
        ["https://bolat.example.kz/", "Bolat: Cheap watches!", "Bolat: Good reporting."]
    )
    why = page.get_by_role("region", name="Why it is pending")
    expect(why.locator(".meaning")).to_have_text(
        "below this site's spam threshold 0.75, at or above its trusted threshold 0.20: "
        "not spam, but not low enough to approve a trusted author"
    )
    expect(why.locator(".reasons-list li")).to_have_text(
        ["score 0.64 < spam threshold 0.75", "1 links > max 0"]
    )
    thread = page.get_by_role("region", name="Thread")
    expect(thread.get_by_role("link")).to_have_text(
        [
            "Dana: The council's budget cuts the library hours again.",
            "Aigerim: Signed it, thank you.",
        ]
    )
    decisions = page.get_by_role("region", name="Decisions")
    expect(decisions).to_contain_text("Nobody has decided it")
    screenshot("comment")

    page.get_by_role("form", name="Decide this comment").get_by_role(
        "button", name=re.compile("^Spam")
    ).click()

    expect(page.locator("#toast")).to_contain_text("Marked as spam: 1 comment.")
    assert re.search(rf"/moderate/comments/{held}\?back=", page.url)
    expect(decisions.locator(".history li")).to_have_text(
        [re.compile(r"UTC pending → spam by chief@news\.example\s*$")]
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Comment {held} by Bolat spam")
    buttons = page.get_by_role("form", name="Decide this comment").get_by_role("button")
    expect(buttons).to_have_text([re.compile("^Not spam"), re.compile("^Reject")])
    assert page.errors == []

    page.keyboard.press("u")  # the undo the lists offer, offered here too
    expect(page.locator("#toast")).to_contain_text("Undid the decision on 1 comment.")
    expect(decisions.locator(".history li")).to_have_count(2)
    expect(decisions.locator(".history li").first).to_have_class("undone")
    screenshot("comment-undone")
    with servers.app.app_context():
        assert db.session.get(Comment, held).status == Status.PENDING


def test_the_keyboard_opens_a_comment_from_the_queue_and_decides_it_there(page, servers, login):
    held = a_story(servers)
    login()
    page.locator(f"#comment-{held}").click()
    page.keyboard.press("o")
    page.wait_for_url(re.compile(rf"/moderate/comments/{held}\?back="))

    page.keyboard.press("r")

    expect(page.locator("#toast")).to_contain_text("Rejected 1 comment.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Comment {held} by Bolat rejected")
    page.get_by_role("link", name="← Back to the list").click()
    page.wait_for_url(re.compile(r"/moderate/\??$"))  # the list it was opened from
    expect(page.locator(f"#comment-{held}")).to_have_count(0)
    assert page.errors == []
