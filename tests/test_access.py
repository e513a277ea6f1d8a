"""An admin limited to one site sees, creates and changes only that site, in the console and API."""

import re

import pytest
import sqlalchemy as sa
from support import bearer

from service import sites
from service.db import db
from service.tables import Moderator, Role, Site

NEW_MODERATOR = {"email": "new@news.example", "password": "a long enough password"}


@pytest.fixture
def site_admin(console, create_secret):
    """Two sites, news and gazette; the console logged in as an admin of news only."""
    keys = {name: create_secret("sites", "create", name) for name in ("news", "gazette")}
    create_secret("moderators", "create", "desk@gazette.example", "--site", "gazette")
    create_secret("moderators", "create", "everywhere@example.org")
    console.login("boss@news.example", "--admin", "--site", "news")
    return keys


def site_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Site.id).where(Site.name == name))


def moderator_named(app, email: str) -> Moderator | None:
    with app.app_context():
        return db.session.scalar(sa.select(Moderator).where(Moderator.email == email))


@pytest.mark.parametrize("site", ["", "gazette"])
def test_a_site_admin_cannot_add_a_moderator_beyond_its_site(app, console, site_admin, site):
    chosen = str(site_id(app, site)) if site else ""
    response = console.post(
        "/moderate/admin/moderators", data={**NEW_MODERATOR, "role": "admin", "site": chosen}
    )

    assert response.status_code == 422
    assert "only for the sites you manage" in response.text
    assert moderator_named(app, NEW_MODERATOR["email"]) is None


def test_a_site_admin_adds_an_admin_of_its_own_site(app, console, site_admin):
    news = site_id(app, "news")
    response = console.post(
        "/moderate/admin/moderators", data={**NEW_MODERATOR, "role": "admin", "site": str(news)}
    )

    assert response.status_code == 302
    added = moderator_named(app, NEW_MODERATOR["email"])
    assert (added.role, added.site_id) == (Role.ADMIN, news)


THRESHOLDS = {"spam_threshold": "0.7", "ham_threshold": "0.05"}


def preview_token(page: str) -> str:
    """The signed preview a settings page carries for its Save button."""
    return re.search(r'name="preview" value="([^"]+)"', page).group(1)


def test_a_site_admin_cannot_change_another_sites_thresholds(app, console, site_admin):
    gazette = site_id(app, "gazette")
    response = console.post(
        f"/moderate/admin/sites/{gazette}/settings", data={**THRESHOLDS, "step": "preview"}
    )

    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Site, gazette).settings == {}


def test_a_site_admin_changes_its_own_sites_thresholds(app, console, site_admin):
    path = f"/moderate/admin/sites/{site_id(app, 'news')}/settings"
    previewed = console.post(path, data={**THRESHOLDS, "step": "preview"})
    console.post(
        path, data={**THRESHOLDS, "step": "save", "preview": preview_token(previewed.text)}
    )

    with app.app_context():
        saved = sites.settings_of(sites.named("news"))
    assert (saved.spam_threshold, saved.ham_threshold) == (0.7, 0.05)


def test_a_site_admin_sees_only_its_own_site_and_moderators(console, site_admin):
    sites = console.get("/moderate/admin/sites").text
    moderators = console.get("/moderate/admin/moderators").text

    news_id, gazette_id = (site_admin[name].partition(".")[0] for name in ("news", "gazette"))
    assert news_id in sites and gazette_id not in sites
    assert "boss@news.example" in moderators
    assert "desk@gazette.example" not in moderators
    assert "everywhere@example.org" not in moderators
    assert "all sites" not in moderators, "no 'all sites' choice for a site's admin"


def test_a_site_admin_cannot_add_a_site(app, console, site_admin):
    page = console.get("/moderate/admin/sites").text
    response = console.post("/moderate/admin/sites", data={"name": "herald"})

    assert "Add a site" not in page
    assert response.status_code == 403
    assert site_id(app, "herald") is None


def test_an_admin_of_every_site_sees_and_adds_sites(app, console, create_secret):
    create_secret("sites", "create", "news")
    console.login("chief@example.org", "--admin")

    assert "Add a site" in console.get("/moderate/admin/sites").text
    assert console.post("/moderate/admin/sites", data={"name": "herald"}).status_code == 201
    assert site_id(app, "herald") is not None


@pytest.mark.parametrize(
    ("scope", "role", "site", "allowed"),
    [
        (None, Role.ADMIN, 1, True),
        (None, Role.ADMIN, None, True),
        (1, Role.ADMIN, 1, True),
        (1, Role.ADMIN, 2, False),
        (1, Role.ADMIN, None, False),
        (None, Role.MODERATOR, 1, False),
    ],
)
def test_one_rule_says_who_may_manage_a_site(scope, role, site, allowed):
    from service import access

    assert access.may_manage(Moderator(role=role, site_id=scope), site) is allowed


def test_the_api_refuses_a_site_admin_another_site(client, create_secret, site_admin):
    headers = bearer(
        create_secret("moderators", "create", "api@news.example", "--admin", "--site", "news")
    )

    assert client.get("/api/v1/sites/news/settings", headers=headers).status_code == 200
    refused = client.get("/api/v1/sites/gazette/settings", headers=headers)
    assert refused.get_json() == {"error": "site 'gazette' not found"}
