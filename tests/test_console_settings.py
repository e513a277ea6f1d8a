"""A site's settings page: the form made from the schema, preview then save, the log, the keys."""

import html
import itertools
import json
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from support import bearer

from service.console.site_settings import GROUPS
from service.db import db
from service.settings import DEFAULTS, SiteSettings
from service.tables import Site, SiteSettingChange

PAGE = "/moderate/admin/sites/{}/settings"


class FormReader(HTMLParser):
    """The fields of the page's settings form, filled in as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields, self._inside, self._textarea, self._select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == "settings-form"
        elif not self._inside:
            return
        elif tag == "input" and attrs.get("type") != "checkbox":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.fields[self._select] = attrs["value"]

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._inside = False


def form_of(page: str) -> dict[str, str]:
    """The settings form of a page as the browser would submit it (csrf and preview included)."""
    reader = FormReader()
    reader.feed(page)
    return reader.fields


def error_of(page: str, name: str) -> str | None:
    """The error shown next to a field, if any."""
    found = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else None


def moves_of(page: str) -> dict[str, int]:
    """The preview's counts by move ("pending-spam": 1)."""
    return {k: int(n) for k, n in re.findall(r'<td data-move="([a-z-]+)">(\d+)</td>', page)}


@pytest.fixture
def settings_page(console, site_key):
    """The news site's settings page, as an admin of every site fills it in."""
    console.login("chief@news.example", "--admin")

    class Page:
        path = PAGE.format(1)

        def get(self):
            return console.get(self.path)

        def preview(self, **changes):
            """Fill the form as the page shows it, change some fields, press Preview."""
            form = {**form_of(self.get().text), **changes, "step": "preview"}
            return console.post(self.path, data=form)

        def save(self, previewed, **changes):
            """Press Save on a previewed page, after changing some fields (or none)."""
            form = {**form_of(previewed.text), **changes, "step": "save"}
            return console.post(self.path, data=form)

    return Page()


def saved(app) -> dict:
    with app.app_context():
        return db.session.scalar(sa.select(Site.settings).where(Site.name == "news"))


def recorded(app) -> list[tuple[str | None, str, dict]]:
    """Every recorded change of the news site, oldest first: (moderator email, via, changes)."""
    with app.app_context():
        rows = db.session.scalars(sa.select(SiteSettingChange).order_by(SiteSettingChange.id))
        return [(r.moderator.email if r.moderator else None, r.via, r.changes) for r in rows]


def test_every_setting_of_the_schema_is_in_exactly_one_group():
    grouped = [name for _, fields in GROUPS for name, _ in fields]

    assert sorted(grouped) == sorted(SiteSettings().fields)


def test_the_page_shows_every_setting_with_its_explanation_and_default(settings_page):
    page = settings_page.get()

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = html.unescape(page.text)
    for name, field in SiteSettings().fields.items():
        assert f'<label for="set-{name}">' in page.text
        assert field.metadata["description"] in text
    assert "Default: 2; leave blank for null." in text  # max_links
    assert "Default: previously_approved." in text
    assert "Default: none; one entry a line." in text  # a word list
    assert form_of(page.text)["trusted"] == DEFAULTS.trusted


def test_the_sites_list_links_to_each_sites_settings(settings_page, console):
    assert 'href="/moderate/admin/sites/1/settings"' in console.get("/moderate/admin/sites").text


def test_lists_are_one_entry_a_line(settings_page, admin):
    admin.patch("/api/v1/sites/news/settings", {"moderation_words": ["casino", "free money"]})

    assert form_of(settings_page.get().text)["moderation_words"] == "casino\nfree money"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_links", "5000", "Must be greater than or equal to 0 and less than or equal to 1000."),
        ("thread_depth", "2.5", "Not a valid integer."),
        ("ham_threshold", "", "Enter a value (the default is 0.2)."),
        ("spam_threshold", "lots", "Not a valid number."),
        ("trusted", "maybe", "Must be one of: off, previously_approved, below_ham_threshold."),
        (
            "blocked_ips",
            "10.0.0.1\n999.1.1.1",
            "“999.1.1.1”: Not a valid IP address or CIDR range.",
        ),
        ("cors_origins", "news.example", "“news.example”: Not a valid origin"),
        ("blocked_email_domains", "a b", "“a b”: Not a valid email domain."),
        (
            "webhooks",
            "https://news.example/hook comment.published\nftp://news.example/hook",
            "“ftp://news.example/hook”: url:",
        ),
        (
            "webhooks",
            "https://news.example/hook comment.deleted",
            "“https://news.example/hook comment.deleted”: events:",
        ),
    ],
)
def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_changes(
    app, settings_page, field, value, message
):
    changes = {"flood_per_minute": "3", field: value}  # one valid change beside the wrong one
    for step in (settings_page.preview, lambda **c: settings_page.save(settings_page.get(), **c)):
        response = step(**changes)

        assert response.status_code == 422
        assert error_of(response.text, field).startswith(message)
        assert f'id="set-{field}"' in response.text and 'aria-invalid="true"' in response.text
        assert f'href="#set-{field}"' in response.text  # the summary links to the field
        assert error_of(response.text, "flood_per_minute") is None
    assert saved(app) == {}
    assert recorded(app) == []


@pytest.fixture
def history(submit, moderator, score_as, clock):
    """Stored comments of the last days: plain, "casino", many links, a trusted regular's."""
    score_as(0.05)
    submit(content="A thoughtful comment.")
    submit(content="Best casino bonus, visit now.", author_email="c@example.kz")
    submit(content="See http://a.example http://b.example http://c.example now.")
    first = submit(content="First from a regular.", author_email="regular@example.kz")
    moderator.post(f"/api/v1/comments/{first.get_json()['id']}/moderate", {"action": "approve"})
    clock.advance(minutes=5)
    assert submit(content="Again.", author_email="regular@example.kz").json["status"] == "approved"


def test_the_preview_counts_are_the_dry_runs(settings_page, history, runner, tmp_path):
    change = {"disallowed_words": ["casino"], "trusted": "below_ham_threshold", "max_links": 5}
    path = tmp_path / "proposed.json"
    path.write_text(json.dumps(change))
    cli = runner.invoke(args=["rules", "test", str(path)]).output

    page = settings_page.preview(
        disallowed_words="casino", trusted="below_ham_threshold", max_links="5"
    )

    replayed, moved = re.search(r"replayed (\d+) .*\n(\d+) would route differently", cli).groups()
    assert page.status_code == 200
    assert f"Preview: {moved} of {replayed} comments would move" in page.text
    expected = {f"{a}-{b}": int(n) for a, b, n in re.findall(r"  (\w+) -> (\w+): (\d+)", cli)}
    assert moves_of(page.text) == expected == {"pending-approved": 3, "pending-spam": 1}
    assert "Best casino bonus, visit now." in page.text
    assert "matched disallowed word &#34;casino&#34; in content" in page.text  # its new reason


def test_the_preview_names_what_changes_and_saves_nothing(app, settings_page, history):
    page = settings_page.preview(moderation_words="casino\nbonus", max_links="0")

    text = html.unescape(page.text)
    assert "Moderation words</strong> <code>moderation_words</code>: added casino, bonus" in text
    assert "Most links in a comment</strong> <code>max_links</code>: 2 → 0" in text
    assert form_of(page.text)["preview"]
    assert saved(app) == {}


def test_save_applies_what_was_previewed_and_new_comments_route_by_it(
    app, settings_page, history, submit
):
    previewed = settings_page.preview(moderation_words="Bonus", max_links="0", trusted="off")

    response = settings_page.save(previewed)

    assert response.status_code == 302
    assert response.headers["Location"] == PAGE.format(1)
    assert saved(app) == {
        **SiteSettings().dump(DEFAULTS),
        "moderation_words": ["Bonus"],
        "max_links": 0,
        "trusted": "off",
    }
    held = submit(content="A bonus for you at https://news.example/win", author_email="x@y.kz")
    assert held.json["status"] == "pending"
    assert held.json["reasons"][1:] == [
        "1 links > max 0",
        'matched moderation word "Bonus" in content',
    ]
    after = settings_page.get().text
    assert "Saved most links in a comment, moderation words, approve without review." in after


def test_webhook_endpoints_are_a_line_each_url_then_events(app, settings_page):
    lines = "https://news.example/hooks comment.spam\nhttp://127.0.0.1:8080/dev"
    previewed = settings_page.preview(webhooks=lines)

    assert settings_page.save(previewed).status_code == 302
    every_event = ["comment.published", "comment.unpublished", "comment.spam"]
    assert saved(app)["webhooks"] == [
        {"url": "https://news.example/hooks", "events": ["comment.spam"]},
        {"url": "http://127.0.0.1:8080/dev", "events": every_event},
    ]
    shown = form_of(settings_page.get().text)["webhooks"].splitlines()
    assert shown == [
        "https://news.example/hooks comment.spam",
        f"http://127.0.0.1:8080/dev {' '.join(every_event)}",
    ]


def test_saving_what_is_in_force_records_nothing(app, settings_page):
    previewed = settings_page.preview()

    assert "Nothing to save:" in previewed.text
    assert "preview" not in form_of(previewed.text)
    assert settings_page.save(previewed).status_code == 409
    assert recorded(app) == []


def test_a_save_without_a_preview_is_refused(app, console, settings_page):
    form = {**form_of(settings_page.get().text), "max_links": "0", "step": "save"}

    response = console.post(settings_page.path, data=form)

    assert response.status_code == 409
    assert "Preview the change before saving it." in response.text
    assert saved(app) == {}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"max_links": "1"}, "The form differs from what you previewed."),
        ({"preview": "eyJzaXRlIjoxfQ.forged"}, "Preview the change before saving it."),
    ],
)
def test_a_save_of_anything_but_the_preview_is_refused(app, settings_page, edit, message):
    previewed = settings_page.preview(max_links="0")

    response = settings_page.save(previewed, **edit)

    assert response.status_code == 409
    assert message in response.text
    assert saved(app) == {}


def test_a_preview_made_stale_by_another_change_is_refused(app, settings_page, admin):
    previewed = settings_page.preview(max_links="0")
    admin.patch("/api/v1/sites/news/settings", {"closed_posts": ["old-news"]})

    response = settings_page.save(previewed)

    assert response.status_code == 409
    assert "were changed by admin@news.example (API) at 09:00 UTC since your preview" in (
        html.unescape(response.text)
    )
    assert saved(app)["max_links"] == 2 and saved(app)["closed_posts"] == ["old-news"]
    again = settings_page.preview(max_links="0")  # the form as it stands now
    assert settings_page.save(again).status_code == 302
    assert saved(app)["max_links"] == 0 and saved(app)["closed_posts"] == ["old-news"]


def test_changes_from_the_console_and_the_api_are_recorded_and_listed_newest_first(
    app, settings_page, admin, clock
):
    admin.patch("/api/v1/sites/news/settings", {"moderation_words": ["casino"]})
    clock.advance(minutes=1)
    settings_page.save(settings_page.preview(moderation_words="casino\npoker", max_links="4"))
    clock.advance(minutes=1)
    admin.put("/api/v1/sites/news/settings", {"max_links": 4, "moderation_words": ["poker"]})

    assert recorded(app) == [
        ("admin@news.example", "API", {"moderation_words": {"from": [], "to": ["casino"]}}),
        (
            "chief@news.example",
            "console",
            {
                "max_links": {"from": 2, "to": 4},
                "moderation_words": {"from": ["casino"], "to": ["casino", "poker"]},
            },
        ),
        (
            "admin@news.example",
            "API",
            {"moderation_words": {"from": ["casino", "poker"], "to": ["poker"]}},
        ),
    ]
    page = html.unescape(settings_page.get().text)
    rows = re.findall(r"<tr>\s*<td>(27 Nov 09:0\d) UTC</td>\s*<td>([^<]+)</td>", page)
    assert rows == [
        ("27 Nov 09:02", "admin@news.example (API)"),
        ("27 Nov 09:01", "chief@news.example (console)"),
        ("27 Nov 09:00", "admin@news.example (API)"),
    ]
    assert "Moderation words</strong>: removed casino" in page
    assert "Most links in a comment</strong>: 2 → 4" in page


@pytest.fixture
def two_sites(console, create_secret):
    """Sites news and gazette (ids 1 and 2), and their keys."""
    return {name: create_secret("sites", "create", name) for name in ("news", "gazette")}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", PAGE.format(2)),
        ("post", PAGE.format(2)),
        ("post", "/moderate/admin/sites/2/api-key"),
        ("post", "/moderate/admin/sites/2/akismet-key"),
        ("get", PAGE.format(3)),
    ],
)
def test_a_site_admin_reaches_only_its_own_sites_page(app, console, two_sites, method, path):
    console.login("boss@news.example", "--admin", "--site", "news")
    data = {"step": "preview", "max_links": "0", "confirm": "yes"}

    own = console.get(PAGE.format(1))
    other = console.get(path) if method == "get" else console.post(path, data=data)

    assert own.status_code == 200
    assert other.status_code == 404
    with app.app_context():
        gazette = db.session.get(Site, 2)
        assert (gazette.settings, gazette.akismet_key_hash) == ({}, None)


def test_a_moderator_who_is_not_an_admin_cannot_open_a_sites_page(app, console, two_sites):
    console.login()

    assert console.get(PAGE.format(1)).status_code == 403
    assert console.post(PAGE.format(1), data={"max_links": "0"}).status_code == 403
    assert (
        console.post("/moderate/admin/sites/1/api-key", data={"confirm": "yes"}).status_code == 403
    )


def test_the_page_needs_a_login(client, site_key):
    assert client.get(PAGE.format(1)).headers["Location"].startswith("/moderate/login")


READERS = itertools.count()


def post_comment(client, key: str, **fields):
    """Submit a comment with a key, each from a reader of its own (no flood control)."""
    reader = next(READERS)
    body = {
        "post_id": "p",
        "author_name": "A",
        "author_email": f"reader{reader}@example.kz",
        "user_ip": f"198.51.100.{reader % 250}",
        "content": "Hi.",
    }
    return client.post("/api/v1/comments", json={**body, **fields}, headers=bearer(key))


def test_rotating_the_api_key_needs_a_confirmation(app, client, settings_page, console, site_key):
    response = console.post("/moderate/admin/sites/1/api-key")

    assert response.status_code == 422
    assert error_of(response.text, "api_key_confirm") == (
        "Tick the box: the site's current API key stops working."
    )
    assert post_comment(client, site_key).status_code == 201


def test_a_rotated_api_key_is_shown_once_and_the_old_one_refused_on_every_worker(
    app, make_app, client, settings_page, console, site_key
):
    other_worker = make_app().test_client()  # another app on the same database
    assert post_comment(other_worker, site_key, content="Before.").status_code == 201

    rotated = console.post("/moderate/admin/sites/1/api-key", data={"confirm": "yes"})

    assert rotated.status_code == 201
    assert rotated.headers["Cache-Control"] == "no-store"
    new_key = re.search(r'<code class="secret">([^<]+)</code>', rotated.text).group(1)
    for worker in (client, other_worker):
        assert post_comment(worker, site_key, content="Old key.").status_code == 401
    assert post_comment(other_worker, new_key, content="New key.").status_code == 201
    page = settings_page.get().text
    assert new_key not in page and 'class="secret"' not in page
    old_id, new_id = site_key.partition(".")[0], new_key.partition(".")[0]
    assert recorded(app) == [
        ("chief@news.example", "console", {"api_key": {"from": old_id, "to": new_id}})
    ]
    assert f"API key</strong>: {old_id} → {new_id}" in page


def test_an_akismet_key_is_issued_on_the_page_and_shown_once(app, settings_page, console):
    unconfirmed = console.post("/moderate/admin/sites/1/akismet-key")
    issued = console.post("/moderate/admin/sites/1/akismet-key", data={"confirm": "yes"})

    assert unconfirmed.status_code == 422
    assert "Tick the box: the site&#39;s current Akismet key stops working." in unconfirmed.text
    assert issued.status_code == 201
    key = re.search(r'<code class="secret">([0-9a-f]{12})</code>', issued.text).group(1)
    assert key not in settings_page.get().text
    assert "This site has one." in settings_page.get().text
    assert recorded(app)[-1][2] == {"akismet_key": {"from": None, "to": "a new key"}}


def test_a_sites_own_spam_threshold_routes_its_next_comment(settings_page, submit, score_as):
    score_as(0.5)
    assert submit(content="Before the change.").json["status"] == "pending"

    settings_page.save(settings_page.preview(spam_threshold="0.4", ham_threshold="0.1"))

    after = submit(content="After the change.").json
    assert (after["status"], after["reasons"]) == ("spam", ["score 0.50 >= spam threshold 0.40"])
    assert form_of(settings_page.get().text)["spam_threshold"] == "0.4"
