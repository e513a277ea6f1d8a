"""In Chromium: a reader comments, a moderator triages by keyboard, hostile input stays inert."""

import time

from playwright.sync_api import expect

from service.tables import Status

ARTICLE = "/relatives-of-missing-kazakhs-fall-silent"
XSS_NAME = '<img src=x onerror="window.__xss=1;alert(1)">Mallory'
XSS_CONTENT = (
    "<script>window.__xss=2;alert(2)</script> Click javascript:alert(3) or "
    'https://example.org/a?b=1&c=2" onmouseover="window.__xss=3'
)


def comment_as_reader(page, servers, name, email, content, website=""):
    """Fill in and post the article's "Leave a Reply" form."""
    page.goto(servers.news + ARTICLE)
    page.locator("#content").fill(content)
    page.locator("#author_name").fill(name)
    page.locator("#author_email").fill(email)
    page.locator("#author_url").fill(website)
    page.get_by_role("button", name="Post Comment").click()


def assert_inert(page):
    """No payload ran (no alert() dialog, no global set by a handler) and our JS did not fail."""
    assert page.dialogs == []
    assert page.errors == []
    assert page.evaluate("window.__xss") is None


def current_author(page) -> str:
    return page.locator(".comment.current .author").inner_text()


def test_a_readers_comment_is_approved_by_keyboard_and_shown_under_the_article(
    page, servers, login, screenshot
):
    comment_as_reader(
        page,
        servers,
        "Aigerim",
        "aigerim@example.kz",
        "He is my uncle.",
        website="javascript:alert(1)",
    )
    expect(page.locator("#author_url-error")).to_contain_text("Not a valid URL")
    expect(page.locator("#content")).to_have_value("He is my uncle.")
    screenshot("article-form-error")

    page.locator("#author_url").fill("https://example.kz/blog")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
    comment_as_reader(
        page, servers, XSS_NAME, "mallory@example.org", XSS_CONTENT, website="https://example.org/"
    )
    servers.seed(3)

    login()
    expect(page.locator(".comment").first).to_have_class("comment current")
    screenshot("queue")
    authors = page.locator(".comment .author").all_inner_texts()
    for _ in range(authors.index("Aigerim")):
        page.keyboard.press("j")
    assert current_author(page) == "Aigerim"
    page.keyboard.press("a")
    expect(page.locator(".comment .author", has_text="Aigerim")).to_have_count(0)
    expect(page.locator("#toast")).to_contain_text("Approved 1 comment.")

    page.keyboard.press("u")  # undo: back in the queue
    expect(page.locator("#toast")).to_contain_text("Undid the decision on 1 comment.")
    expect(page.locator(".comment .author", has_text="Aigerim")).to_have_count(1)
    page.locator(".comment", has_text="Aigerim").locator("button", has_text="Approve").click()
    expect(page.locator(".comment .author", has_text="Aigerim")).to_have_count(0)
    assert_inert(page)

    page.goto(servers.news + ARTICLE)
    expect(page.locator(".comments")).to_contain_text("He is my uncle.")
    expect(page.get_by_role("link", name="Aigerim")).to_have_attribute(
        "href", "https://example.kz/blog"
    )
    screenshot("article")


def test_keyboard_selection_and_bulk_spam(page, servers, login, screenshot):
    servers.seed(4, author_name="Bulk", content="Buy followers at http://spam.example/now!")
    login()
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    screenshot("help")
    page.keyboard.press("Escape")

    bulk = page.locator(".comment", has_text="Bulk")
    for index in range(bulk.count()):
        bulk.nth(index).locator(".pick input").check()  # the mouse works too
    page.locator(".comment.current .pick input").focus()
    expect(page.locator(".selected-count")).to_have_text("4 selected")
    page.locator("#bulk").get_by_role("button", name="Spam selected").click()
    expect(page.locator(".comment", has_text="Bulk")).to_have_count(0)
    expect(page.locator("#toast")).to_contain_text("Marked as spam: 4 comments.")

    page.goto(f"{servers.moderato}/moderate/?status=spam")
    expect(page.locator(".comment", has_text="Bulk")).to_have_count(4)
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(".selected-count")).to_have_text("2 selected")
    screenshot("spam")


def test_a_moderator_confirms_spam_in_the_spam_folder(page, servers, login, screenshot):
    servers.seed(2, status=Status.SPAM, author_name="Pill seller", spam_score=0.97)
    login("desk@news.example")
    page.goto(f"{servers.moderato}/moderate/?status=spam")
    first, second = (page.locator(".comment", has_text="Pill seller").nth(n) for n in (0, 1))

    first.get_by_role("button", name="Confirm spam").click()
    expect(page.locator("#toast")).to_contain_text("Confirmed as spam: 1 comment.")
    expect(first.locator(".decision")).to_have_text("confirmed spam by desk@news.example")
    expect(first.get_by_role("button", name="Confirm spam")).to_have_count(0)
    second.locator(".content").click()
    page.keyboard.press("s")  # the same key that marks spam in the queue
    expect(second.locator(".decision")).to_have_text("confirmed spam by desk@news.example")
    screenshot("spam-confirmed")

    page.reload()  # both stay in the spam folder, decided, with nothing left to confirm
    confirmed = page.locator(".comment", has_text="Pill seller")
    expect(confirmed.locator(".decision")).to_have_text(["confirmed spam by desk@news.example"] * 2)
    expect(confirmed.get_by_role("button", name="Confirm spam")).to_have_count(0)
    assert_inert(page)


def test_hostile_input_never_runs_in_the_console(page, servers, login, screenshot):
    servers.seed(1, author_name=XSS_NAME, content=XSS_CONTENT, author_url="javascript:alert(4)")
    login()
    row = page.locator(".comment", has_text="Mallory").first
    expect(row.locator(".author")).to_contain_text('<img src=x onerror="window.__xss=1;alert(1)">')
    expect(row.locator(".content a")).to_have_attribute("href", "https://example.org/a?b=1&c=2")
    expect(row.locator('a[href^="javascript:"]')).to_have_count(0)
    row.hover()
    row.locator(".content a").hover()
    assert_inert(page)


def test_hostile_input_never_runs_under_the_article(page, servers):
    servers.seed(
        1,
        status=Status.APPROVED,
        author_name=XSS_NAME,
        content=XSS_CONTENT,
        author_url="javascript:alert(5)",
    )
    page.goto(servers.news + ARTICLE)
    comment = page.locator(".comment", has_text="Mallory")
    expect(comment.locator(".who")).to_contain_text("<img src=x")
    expect(comment.locator(".text")).to_contain_text("<script>window.__xss=2")
    expect(comment.locator("a")).to_have_count(0)  # a javascript: website is not linked
    comment.hover()
    assert_inert(page)


def test_a_moderator_clears_a_hundred_comments_by_keyboard_in_under_two_minutes(
    page, servers, login, screenshot
):
    servers.seed(100, author_name="Hundred", post_id="busy-post", spam_score=0.2)
    login("desk@news.example")
    page.goto(f"{servers.moderato}/moderate/?post=busy-post&sort=created_at")
    started = time.monotonic()
    for _ in range(100):
        # Wait only until a comment has focus: the previous decision may still be in flight.
        expect(page.locator(".comment.current:not(.leaving)")).to_have_count(1)
        page.keyboard.press("a")
    expect(page.locator(".empty")).to_contain_text("the queue is clear")
    assert time.monotonic() - started < 120


def test_every_console_page_at_both_widths(page, servers, login, screenshot):
    servers.seed(6, status=Status.APPROVED, author_name="Published reader")
    servers.seed(5, status=Status.REJECTED, author_name="Rude reader", spam_score=0.3)
    page.goto(f"{servers.moderato}/moderate/login")
    screenshot("login")
    login()
    for name, path in [
        ("published", "/moderate/?status=approved"),
        ("rejected", "/moderate/?status=rejected"),
        ("stats", "/moderate/stats"),
        ("moderators", "/moderate/admin/moderators"),
        ("sites", "/moderate/admin/sites"),
    ]:
        page.goto(servers.moderato + path)
        expect(page.locator("h1")).to_be_visible()
        screenshot(name)
    page.goto(f"{servers.moderato}/moderate/?status=approved")
    page.locator(".comment").first.locator("button", has_text="Unpublish").click()
    expect(page.locator("#toast")).to_contain_text("Unpublished 1 comment.")
    assert_inert(page)
