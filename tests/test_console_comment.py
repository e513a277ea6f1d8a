"""A comment's page in the console: its whole story, who may see it, and acting from it."""

import html as markup
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from service.console.comment import SHOWN
from service.db import db
from service.imports import Imported, store
from service.tables import Comment, ModerationAction, Site, Status

DESK = "desk@news.example"


def stored(app, comment_id: int) -> Comment:
    with app.app_context():
        return db.session.get(Comment, comment_id)


def update(app, comment_id: int, **values) -> None:
    """Change a stored comment behind the API's back (a score, a status)."""
    with app.app_context():
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(**values))
        db.session.commit()


def part(html: str, start: str, end: str) -> str:
    """The page's text from the first `start` to the next `end` after it."""
    return html.split(start, 1)[1].split(end, 1)[0]


def linked(html: str) -> list[tuple[int, str]]:
    """The comments a part of the page links to, in order, with the status shown for each."""
    found = re.findall(r'href="/moderate/comments/(\d+)\?[^"]*">.*?status-(\w+)', html, re.S)
    return [(int(comment_id), status) for comment_id, status in found]


def history(html: str) -> list[str]:
    """The decisions the page lists, oldest first, as worded, "(undone)" when taken back."""
    items = re.findall(
        r'<li id="action-\d+"( class="undone")?>.*?class="words">(.*?)</span>', html, re.S
    )
    return [markup.unescape(words) + (" (undone)" if undone else "") for undone, words in items]


def action_form(html: str) -> dict[str, str]:
    """The hidden fields of the page's decision form, as the browser would send them."""
    form = part(html, '<form class="actions"', "</form>")
    fields = re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form)
    return {name: markup.unescape(value) for name, value in fields}


def offered(html: str) -> list[str]:
    """The actions the page's decision form offers, in order."""
    form = part(html, '<form class="actions"', "</form>")
    return re.findall(r'name="action" value="(\w+)"', form)


@pytest.fixture
def story(console):
    """Open a comment's page as the logged-in moderator; return its HTML."""

    def open_page(comment_id: int, query: str = "") -> str:
        response = console.get(f"/moderate/comments/{comment_id}{query}")
        assert response.status_code == 200, response.text
        return response.text

    return open_page


def test_the_page_shows_the_content_escaped_with_its_line_breaks_and_where_it_was_posted(
    console, submit, story, score_as
):
    score_as(0.5)
    comment_id = submit(
        author_name='<img src=x onerror="alert(1)">Mallory',
        content="<script>alert(1)</script> first line\nsecond line https://example.org/a",
    ).json["id"]
    console.login()
    html = story(comment_id)

    assert "<script>alert" not in html and "<img src=x" not in html
    assert (
        '<div class="content">&lt;script&gt;alert(1)&lt;/script&gt; first line\nsecond line '
        '<a href="https://example.org/a" rel="nofollow ugc noopener"'
    ) in html
    assert '<dd class="site">news</dd>' in html
    assert '<dd class="post">relatives-of-missing-kazakhs-fall-silent</dd>' in html
    assert '<time datetime="2026-11-27T09:00:00+00:00">27 Nov 2026 09:00 UTC</time>' in html
    assert "Imported from" not in html


def test_the_author_is_shown_with_their_record_and_other_comments_newest_first(
    console, submit, story, score_as
):
    score_as(0.5)
    first = submit(content="First of theirs.").json["id"]
    second = submit(content="Second of theirs.").json["id"]
    submit(content="Someone else's.", author_email="someone@example.org")
    this = submit(content="This one.").json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": first})
    console.post("/moderate/act", data={"action": "spam", "ids": second})
    html = story(this)

    author = part(html, '<h2 id="author-title">', "</section>")
    assert '<dd class="email">aigerim@example.kz</dd>' in author
    assert '<a class="website" href="https://example.kz/blog"' in author
    assert '<dd class="ip">203.0.113.7</dd>' in author
    assert '<dd class="agent">Mozilla/5.0 (X11; Linux x86_64)</dd>' in author
    assert '<dd class="referrer">https://news.example/relatives-of-missing-kazakhs</dd>' in author
    record = part(author, '<p class="record"', "</p>")
    counts = re.findall(r"(\d+ (?:approved|rejected|spam))</span>", record)
    assert counts == ["1 approved", "0 rejected", "1 spam"]
    others = part(author, "Their other comments", "</ul>")
    assert linked(others) == [(second, "spam"), (first, "approved")]


def test_the_authors_other_comments_are_bounded(app, console, submit, story, score_as):
    score_as(0.5)
    this = submit().json["id"]
    site_id = stored(app, this).site_id
    with app.app_context():
        start = datetime(2026, 1, 1, tzinfo=UTC)
        db.session.add_all(
            Comment(
                site_id=site_id,
                post_id="older-post",
                author_name="Aigerim",
                author_email="aigerim@example.kz",
                content=f"Earlier comment {n}.",
                status=Status.APPROVED,
                reasons=[],
                created_at=start + timedelta(days=n),
            )
            for n in range(SHOWN + 2)
        )
        db.session.commit()
    console.login()
    html = story(this)

    others = part(html, "Their other comments", "</ul>")
    assert re.findall(r"Aigerim: Earlier comment (\d+)\.", others) == [
        str(n) for n in range(SHOWN + 1, 1, -1)
    ]
    assert f"The {SHOWN} newest are shown." in html
    assert f"{SHOWN + 2} approved" in html


@pytest.mark.parametrize(
    ("score", "trusted", "badge", "meaning"),
    [
        (
            0.82,
            "previously_approved",
            "0.82 · spam",
            "at or above this site's spam threshold 0.75: the model says spam",
        ),
        (
            0.5,
            "previously_approved",
            "0.50 · suspect",
            "below this site's spam threshold 0.75, at or above its trusted threshold 0.20: "
            "not spam, but not low enough to approve a trusted author",
        ),
        (
            0.1,
            "below_ham_threshold",
            "0.10 · likely ok",
            "below this site's spam threshold 0.75 and its trusted threshold 0.20: "
            "not spam, and approved without review",
        ),
        (
            0.1,
            "off",
            "0.10 · likely ok",
            "below this site's spam threshold 0.75 and its trusted threshold 0.20: "
            "not spam (the trusted rule is off on this site)",
        ),
        (
            None,
            "previously_approved",
            "unscored",
            "unscored: no model served when it came in, so only the rules placed it",
        ),
    ],
)
def test_the_score_is_told_against_this_sites_thresholds_with_every_reason_and_the_model(
    console, submit, story, score_as, configure, score, trusted, badge, meaning
):
    configure(spam_threshold=0.75, ham_threshold=0.2, trusted=trusted, max_links=0)
    score_as(score)
    comment_id = submit(content="See https://example.org/ for more.").json["id"]
    console.login()
    html = story(comment_id)

    why = markup.unescape(part(html, '<h2 id="why-title">', "</section>"))
    assert f'{badge}</span> <span class="meaning">{meaning}</span>' in why
    model = "fixed-test-model" if score is not None else "none"
    assert f"Model version: <code>{model}</code>" in why
    reasons = re.findall(r"<li>(.*?)</li>", part(why, '<ol class="reasons-list">', "</ol>"))
    classifier = "unscored" if score is None else f"score {score:.2f}"
    assert reasons[0].startswith(classifier)
    assert "1 links > max 0" in reasons


def test_every_decision_is_listed_with_who_when_confirmations_and_undos(
    app, console, submit, story, score_as, clock
):
    score_as(0.95)
    comment_id = submit().json["id"]
    assert stored(app, comment_id).status == Status.SPAM
    console.login()
    html = story(comment_id)
    assert "Nobody has decided it: it is spam as the rules placed it." in html
    assert offered(html) == ["spam", "approve", "reject"]

    console.post("/moderate/act", data={"action": "spam", "ids": comment_id})  # confirms
    clock.advance(seconds=5)
    console.post("/moderate/undo", data={"ids": comment_id})
    clock.advance(minutes=3)
    console.post("/moderate/act", data={"action": "approve", "ids": comment_id})
    html = story(comment_id)

    assert history(html) == [
        f"confirmed spam by {DESK} (undone)",
        f"undid: spam → spam by {DESK}",
        f"spam → approved by {DESK}",
    ]
    times = re.findall(r'<li id="action-\d+".*?<time datetime="([^"]+)"', html, re.S)
    assert times == [f"2026-11-27T09:{at}+00:00" for at in ("00:00", "00:05", "03:05")]
    assert offered(html) == ["unpublish", "reject", "spam"]  # decided: no confirm


def test_replies_and_the_parent_link_to_their_pages_with_their_status(
    console, submit, story, score_as
):
    score_as(0.5)
    parent = submit(content="The parent.").json["id"]
    console.login()
    console.post("/moderate/act", data={"action": "approve", "ids": parent})
    first = submit(parent_id=parent, content="First reply.").json["id"]
    second = submit(parent_id=parent, content="Second reply.").json["id"]
    console.post("/moderate/act", data={"action": "spam", "ids": second})

    thread = part(story(parent), '<h2 id="thread-title">', "</section>")
    assert "Not a reply." in thread
    assert linked(part(thread, "<h3>Replies</h3>", "</ul>")) == [
        (first, "pending"),
        (second, "spam"),
    ]
    reply = part(story(first), '<h2 id="thread-title">', "</section>")
    assert linked(part(reply, "<h3>In reply to</h3>", "</ul>")) == [(parent, "approved")]
    assert "Aigerim: The parent." in reply


def test_a_moderator_of_another_site_gets_404_and_nothing_of_the_comment(
    console, submit, create_secret
):
    comment_id = submit(content="Only for the news desk.").json["id"]
    create_secret("sites", "create", "gazette")
    console.login("desk@gazette.example", "--site", "gazette")
    response = console.get(f"/moderate/comments/{comment_id}")
    missing = console.get("/moderate/comments/99999")

    assert response.status_code == 404 == missing.status_code
    assert "Only for the news desk." not in response.text
    assert f"comment {comment_id} not found" in response.text
    assert "comment 99999 not found" in missing.text


def test_a_moderator_of_the_comments_own_site_sees_it(console, submit, story):
    comment_id = submit(content="For the news desk.").json["id"]
    console.login("desk@news.example", "--site", "news")

    assert "For the news desk." in story(comment_id)


@pytest.mark.parametrize("listing", ["/moderate/?status=pending", "/moderate/?q=uncle"])
def test_each_row_of_a_list_or_search_links_to_its_page_and_back(
    console, submit, score_as, listing
):
    score_as(0.5)
    comment_id = submit(content="My uncle has been missing.").json["id"]
    console.login()
    rows = console.get(listing).text
    link = re.search(rf'href="(/moderate/comments/{comment_id}\?back=[^"]+)"', rows).group(1)
    html = console.get(markup.unescape(link)).text

    assert "My uncle has been missing." in html
    back = re.search(r'<p class="back"><a href="([^"]+)"', html).group(1)
    assert markup.unescape(back) == listing


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/api/v1/queue"])
def test_the_back_link_never_leaves_the_console(console, submit, story, back):
    comment_id = submit().json["id"]
    console.login()

    assert '<p class="back"><a href="/moderate/">' in story(comment_id, f"?back={back}")


def test_acting_from_the_page_records_the_decision_and_returns_to_the_page(
    app, console, submit, story, score_as
):
    score_as(0.5)
    comment_id = submit().json["id"]
    console.login()
    html = story(comment_id, "?back=/moderate/?status=pending")
    form = action_form(html)
    assert offered(html) == ["approve", "reject", "spam"]
    assert form["version"] == str(stored(app, comment_id).version)

    response = console.post("/moderate/act", data={**form, "action": "spam"})

    assert response.status_code == 302
    assert response.headers["Location"] == form["next"]
    html = console.get(response.headers["Location"]).text
    assert "Marked as spam: 1 comment." in html
    assert history(html) == [f"pending → spam by {DESK}"]
    undo = part(html, '<form method="post" action="/moderate/undo"', "</form>")
    assert f'name="ids" value="{comment_id}"' in undo
    assert stored(app, comment_id).status == Status.SPAM


def test_a_stale_version_from_the_page_is_refused(app, console, submit, story, score_as):
    score_as(0.5)
    comment_id = submit().json["id"]
    console.login()
    form = action_form(story(comment_id))
    console.post("/moderate/act", data={**form, "action": "approve"})  # another tab, say

    response = console.post("/moderate/act", data={**form, "action": "spam"})
    html = console.get(response.headers["Location"]).text

    assert f"Not changed: comment {comment_id} was changed by another moderator" in html
    assert stored(app, comment_id).status == Status.APPROVED
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 1


def import_one(app, **fields) -> int:
    """Import one comment marked spam in a WordPress history; return its id here."""
    record = {
        "source_id": "4711",
        "post_id": "council-budget",
        "content": "Cheap pills at example.biz",
        "author_name": "Pill Seller",
        "author_email": "pills@example.biz",
        "created_at": datetime(2021, 3, 1, 9, 30, tzinfo=UTC),
        "status": Status.SPAM,
        **fields,
    }
    with app.app_context():
        site = db.session.scalar(sa.select(Site).where(Site.name == "news"))
        source, quiet = "WordPress https://news.example", lambda _report: None
        store.run(site, source, [Imported(**record)], print, quiet)
        return db.session.scalar(sa.select(Comment.id).where(Comment.import_id == "4711"))


def test_an_imported_comment_shows_its_import_source_and_verdict(app, console, site_key, story):
    comment_id = import_one(app)
    console.login()
    html = story(comment_id)

    assert (
        '<dd class="import">WordPress https://news.example '
        '<span class="hint">(its id there: 4711)</span></dd>'
    ) in html
    assert history(html) == ["pending → spam by import of WordPress https://news.example"]
    assert "<li>imported: spam in WordPress https://news.example</li>" in html
    assert '<time datetime="2021-03-01T09:30:00+00:00">01 Mar 2021 09:30 UTC</time>' in html


def test_an_imported_comment_without_an_email_claims_no_record(app, console, site_key, story):
    comment_id = import_one(app, author_email="")
    console.login()
    html = story(comment_id)

    assert '<dd class="email">none given</dd>' in html
    assert "No email, so no record" in html
    assert "Their other comments" not in html
