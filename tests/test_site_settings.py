"""GET/PUT/PATCH /api/v1/sites/<name>/settings: admins only, validated, stored, documented."""

import pytest
import sqlalchemy as sa
from support import bearer

from service.db import db
from service.tables import Site

PATH = "/api/v1/sites/news/settings"
DEFAULTS = {
    "max_links": 2,
    "moderation_words": [],
    "disallowed_words": [],
    "trusted": "previously_approved",
    "ham_threshold": 0.2,
    "spam_threshold": None,
    "flood_per_minute": 4,
    "flood_interval_seconds": 15,
    "min_submit_seconds": 3.0,
    "close_after_days": None,
    "closed_posts": [],
    "blocked_email_domains": [],
    "blocked_ips": [],
    "thread_depth": 5,
    "moderated_in": "moderato",
    "allowed_authors": [],
    "cors_origins": [],
    "webhooks": [],
}


def saved(app) -> dict:
    """The settings stored on the news site."""
    with app.app_context():
        return db.session.scalar(sa.select(Site.settings).where(Site.name == "news"))


def test_a_new_site_has_the_documented_defaults(app, admin, site_key):
    response = admin.get(PATH)

    assert response.status_code == 200
    assert response.get_json() == DEFAULTS
    assert saved(app) == {}


def test_patch_changes_only_the_keys_given_and_stores_them(app, admin, site_key):
    admin.patch(PATH, {"max_links": 5})
    response = admin.patch(PATH, {"moderation_words": ["casino"], "close_after_days": 14})

    expected = {**DEFAULTS, "max_links": 5, "moderation_words": ["casino"], "close_after_days": 14}
    assert response.status_code == 200
    assert response.get_json() == expected
    assert saved(app) == expected
    assert admin.get(PATH).get_json() == expected


def test_put_replaces_everything_and_missing_keys_return_to_defaults(app, admin, site_key):
    admin.patch(PATH, {"max_links": 5, "trusted": "off"})

    response = admin.put(PATH, {"disallowed_words": ["viagra"]})

    assert response.get_json() == {**DEFAULTS, "disallowed_words": ["viagra"]}
    assert saved(app)["max_links"] == 2


def test_values_are_normalised(admin, site_key):
    body = admin.patch(
        PATH,
        {
            "blocked_email_domains": ["@Spam.Example"],
            "blocked_ips": ["10.1.2.3/8", "2001:db8::1"],
            "allowed_authors": ["Aigerim@EXAMPLE.kz"],
            "max_links": None,
            "flood_per_minute": None,
        },
    ).get_json()

    assert body["blocked_email_domains"] == ["spam.example"]
    assert body["blocked_ips"] == ["10.0.0.0/8", "2001:db8::1"]
    assert body["allowed_authors"] == ["Aigerim@example.kz"]
    assert (body["max_links"], body["flood_per_minute"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_link": 3}, "max_link"),
        ({"max_links": -1}, "max_links"),
        ({"max_links": "3"}, "max_links"),
        ({"trusted": "sometimes"}, "trusted"),
        ({"ham_threshold": 1.5}, "ham_threshold"),
        ({"flood_per_minute": 0}, "flood_per_minute"),
        ({"flood_interval_seconds": -1}, "flood_interval_seconds"),
        ({"flood_interval_seconds": 1.5}, "flood_interval_seconds"),
        ({"flood_interval_seconds": None}, "flood_interval_seconds"),
        ({"min_submit_seconds": -1}, "min_submit_seconds"),
        ({"close_after_days": 0}, "close_after_days"),
        ({"moderation_words": "casino"}, "moderation_words"),
        ({"moderation_words": ["  "]}, "moderation_words.0"),
        ({"blocked_ips": ["10.0.0.300"]}, "blocked_ips.0"),
        ({"blocked_email_domains": ["a b"]}, "blocked_email_domains.0"),
        ({"allowed_authors": ["not-an-email"]}, "allowed_authors.0"),
    ],
)
def test_invalid_settings_are_refused_by_field_and_nothing_saved(app, admin, site_key, body, field):
    response = admin.patch(PATH, body)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]
    assert saved(app) == {}


def test_a_moderator_who_is_not_an_admin_gets_403(app, client, moderator, site_key):
    change = client.patch(PATH, json={"max_links": 9}, headers=moderator.headers)

    assert change.status_code == 403
    assert moderator.get(PATH).get_json() == {
        "error": "only an admin may see or change site settings"
    }
    assert saved(app) == {}


def test_a_site_key_gets_403_and_no_token_401(client, site_headers):
    assert client.get(PATH, headers=site_headers).status_code == 403
    assert client.get(PATH).status_code == 401


def test_an_unknown_site_is_404(admin):
    response = admin.get("/api/v1/sites/nowhere/settings")

    assert response.status_code == 404
    assert response.get_json() == {"error": "site 'nowhere' not found"}


def test_an_admin_of_one_site_cannot_see_another(client, create_secret, site_key):
    create_secret("sites", "create", "other")
    token = create_secret(
        "moderators", "create", "boss@other.example", "--admin", "--site", "other"
    )

    assert client.get(PATH, headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/sites/other/settings", headers=bearer(token)).status_code == 200


def test_the_settings_api_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert set(spec["paths"]["/api/v1/sites/{name}/settings"]) >= {"get", "put", "patch"}
    properties = spec["components"]["schemas"]["SiteSettings"]["properties"]
    assert properties["max_links"]["default"] == 2
    assert set(properties) == set(DEFAULTS)
    comment_in = spec["components"]["schemas"]["CommentIn"]["properties"]
    assert {"honeypot", "form_rendered_at"} <= set(comment_in)
