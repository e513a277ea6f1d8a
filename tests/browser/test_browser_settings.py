"""In Chromium: an admin previews and saves site settings, meets a field error, rotates a key."""

import json
import re

import requests
from playwright.sync_api import expect


def open_settings(page, servers, login) -> None:
    """Log in as the admin and go from the sites list to the news site's settings."""
    login()
    page.get_by_role("link", name="Sites").click()
    page.get_by_role("link", name="Settings of news").click()
    expect(page.get_by_role("heading", name="Settings of news")).to_be_visible()


def dry_run(servers, tmp_path, settings: dict) -> dict[str, int]:
    """The moves `flask --app wsgi rules test` reports for these settings ("pending-spam": 3)."""
    path = tmp_path / "proposed.json"
    path.write_text(json.dumps(settings))
    output = servers.app.test_cli_runner().invoke(args=["rules", "test", str(path)]).output
    return {f"{a}-{b}": int(n) for a, b, n in re.findall(r"  (\w+) -> (\w+): (\d+)", output)}


def submit(servers, key: str, content: str, email: str) -> requests.Response:
    """Post a comment to the API as the site's back end does."""
    body = {"post_id": "p", "author_name": "Reader", "author_email": email, "content": content}
    headers = {"Authorization": f"Bearer {key}"}
    return requests.post(f"{servers.moderato}/api/v1/comments", json=body, headers=headers)


def test_an_admin_previews_and_saves_words_and_a_link_limit(
    page, servers, login, screenshot, tmp_path
):
    servers.seed(3, content="Cheap casino chips, today only.", spam_score=0.05)
    servers.seed(
        2, content="Read https://a.example/1 and https://b.example/2 now.", spam_score=0.05
    )
    servers.seed(2, content="A plain, thoughtful comment.", spam_score=0.05)
    open_settings(page, servers, login)
    screenshot("site-settings")

    page.get_by_label("Moderation words", exact=True).fill("bridge")
    page.get_by_label("Disallowed words", exact=True).fill("casino")
    page.get_by_label("Most links in a comment", exact=True).fill("1")
    page.get_by_label("Approve without review", exact=True).select_option("below_ham_threshold")
    page.get_by_role("button", name="Preview changes").click()

    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name=re.compile(r"^Preview: \d+ of \d+"))).to_be_visible()
    shown = {
        cell.get_attribute("data-move"): int(cell.inner_text())
        for cell in preview.locator("td[data-move]").all()
    }
    expected = dry_run(
        servers,
        tmp_path,
        {
            "moderation_words": ["bridge"],
            "disallowed_words": ["casino"],
            "max_links": 1,
            "trusted": "below_ham_threshold",
        },
    )
    assert shown == expected
    assert shown["pending-spam"] == 3 and shown["pending-approved"] >= 2
    expect(preview).to_contain_text('matched disallowed word "casino" in content')
    screenshot("site-settings-preview")

    preview.get_by_role("button", name="Save these settings").click()
    expect(page.locator("#toast")).to_contain_text(
        "Saved most links in a comment, moderation words, disallowed words, approve without review."
    )
    expect(page.get_by_label("Most links in a comment", exact=True)).to_have_value("1")
    expect(page.locator(".history")).to_contain_text("chief@news.example (console)")

    key = servers.site_key
    spam = submit(servers, key, "Casino night at the town hall!", "a@example.org").json()
    held = submit(servers, key, "The new bridge is late again, and the council knew.", "b@x.org")
    links = submit(servers, key, "Minutes: https://a.example/1 and https://a.example/2", "c@x.org")
    assert spam["status"] == "spam"
    assert 'matched disallowed word "casino" in content' in spam["reasons"]
    # Scored low, so trusted below the ham threshold, but held by the new moderation word.
    assert held.json()["status"] == "pending"
    assert 'matched moderation word "bridge" in content' in held.json()["reasons"]
    # The classifier sends two links to spam before any hold rule decides; the new limit fired.
    assert "2 links > max 1" in links.json()["reasons"]
    assert page.errors == []


def test_a_field_error_appears_next_to_its_field(page, servers, login, screenshot):
    open_settings(page, servers, login)

    page.get_by_label("Most links in a comment", exact=True).fill("5000")
    page.get_by_label("Blocked IP addresses and ranges", exact=True).fill("10.0.0.0/8\n999.1.1.1")
    page.get_by_role("button", name="Preview changes").click()

    links = page.locator(".setting", has=page.locator("#set-max_links"))
    expect(links.locator(".field-error")).to_have_text(
        "Must be greater than or equal to 0 and less than or equal to 1000."
    )
    expect(page.locator("#set-max_links")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#set-max_links")).to_have_value("5000")
    ips = page.locator(".setting", has=page.locator("#set-blocked_ips"))
    expect(ips.locator(".field-error")).to_have_text(
        "“999.1.1.1”: Not a valid IP address or CIDR range."
    )
    expect(page.get_by_role("alert")).to_contain_text("Fix the settings marked below")
    page.get_by_role("alert").get_by_role("link", name="Blocked IP addresses and ranges").click()
    expect(page.locator("#set-blocked_ips")).to_be_focused()
    screenshot("site-settings-errors")


def test_an_admin_rotates_the_api_key_and_the_old_one_gets_401(page, servers, login):
    open_settings(page, servers, login)
    api_key = page.locator(".key", has=page.get_by_role("heading", name="API key"))

    api_key.get_by_role("button", name="New API key").click()
    expect(page.locator("#api_key_confirm-error")).to_contain_text("Tick the box")
    assert submit(servers, servers.site_key, "Still the old key.", "d@example.org").ok

    api_key = page.locator(".key", has=page.get_by_role("heading", name="API key"))
    api_key.get_by_label("Replace it: the current key stops working at once").check()
    api_key.get_by_role("button", name="New API key").click()
    new_key = page.locator("code.secret").inner_text()

    assert submit(servers, servers.site_key, "The old key.", "e@example.org").status_code == 401
    assert submit(servers, new_key, "The new key.", "f@example.org").status_code == 201
    page.goto(f"{servers.moderato}/moderate/admin/sites/{servers.site_id}/settings")
    expect(page.get_by_role("heading", name="Settings of news")).to_be_visible()
    expect(page.locator("code.secret")).to_have_count(0)
    servers.site_key = new_key  # for any later test of this module's servers
