"""In Chromium: an admin opens a site's webhooks from the sites list and sends a test event."""

import requests
from playwright.sync_api import expect
from receiver import Receiver
from support import bearer

from service import settings, sites, webhooks
from service.db import db


def test_an_admin_sees_deliveries_and_sends_a_test_event(page, servers, login, screenshot):
    good, failing = Receiver(), Receiver()
    failing.answer(*[500] * 10)
    runner = servers.app.test_cli_runner()
    runner.invoke(args=["sites", "webhook-secret", "news"])
    token = runner.invoke(args=["moderators", "create", "api@news.example"]).output.split()[-1]
    with servers.app.app_context():
        site = sites.named("news")
        endpoints = [
            {"url": f"{good.url}/hooks/moderato", "events": ["comment.published"]},
            {"url": f"{failing.url}/hooks", "events": ["comment.published", "comment.spam"]},
        ]
        sites.save(
            site,
            sites.changed(site, settings.load_changes({"webhooks": endpoints})),
            None,
            "test setup",
        )
        db.session.commit()
    for comment_id, action in zip(servers.seed(2), ("approve", "spam"), strict=True):
        requests.post(
            f"{servers.moderato}/api/v1/comments/{comment_id}/moderate",
            json={"action": action},
            headers=bearer(token),
            timeout=10,
        ).raise_for_status()
    with servers.app.app_context():
        webhooks.deliver_due()

    login()
    page.goto(f"{servers.moderato}/moderate/admin/sites")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("cell", name="HTTP 500 Internal Server Error")).to_have_count(1)

    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_role("status")).to_contain_text("Queued a test event to 2 endpoints.")
    expect(rows).to_have_count(5)
    with servers.app.app_context():
        webhooks.deliver_due()
    page.reload()

    assert len(good.received) == 2  # the published comment, then the ping
    expect(page.locator(".badge", has_text="delivered")).to_have_count(2)
    assert page.errors == []
    screenshot("webhooks")
    good.stop()
    failing.stop()
