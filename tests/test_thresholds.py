"""A site's own thresholds hold everywhere a score is judged, and "overturned" means one thing.

A site whose spam threshold is 0.40 gets a comment scored 0.56: routing sends it to spam, so
the console's badge, the stats, and a site moderator's model drift must judge it by 0.40 too.
"""

from typing import ClassVar

import pytest
from support import FixedClassifier, bearer

from service import overturns, scoring, sites


class Described(FixedClassifier):
    """A fixed-score model with a manifest, as GET /api/v1/model describes one."""

    manifest: ClassVar[dict] = {"trained_at": None}


@pytest.fixture
def routed_to_spam(app, configure, submit):
    """The news site's spam threshold is 0.40; a comment scored 0.56 arrives; return its id."""
    configure(spam_threshold=0.40)
    app.extensions[scoring.CLASSIFIER] = Described(0.56)  # the service's threshold: 0.9
    created = submit().get_json()
    assert (created["status"], created["reasons"]) == (
        "spam",
        ["score 0.56 >= spam threshold 0.40"],
    )
    return created["id"]


@pytest.fixture
def site_moderator(client, create_secret):
    """The news site's own moderator, over the API and in the console."""
    token = create_secret("moderators", "create", "api.desk@news.example", "--site", "news")
    return bearer(token)


def test_the_console_badges_a_comment_by_its_sites_threshold(routed_to_spam, console):
    console.login()

    page = console.get("/moderate/?status=spam").get_data(as_text=True)

    assert "0.56 · spam" in page
    assert "suspect" not in page


def test_the_stats_show_the_sites_threshold(routed_to_spam, console):
    console.login("desk@news.example", "--site", "news")

    page = console.get("/moderate/stats").get_data(as_text=True)
    histogram = console.get("/moderate/stats/scores.svg").get_data(as_text=True)

    assert "<dd>0.40</dd>" in page
    assert "spam threshold 0.40" in histogram


def test_a_site_moderators_model_drift_judges_by_the_sites_threshold(
    routed_to_spam, client, moderator, site_moderator
):
    moderator.post(f"/api/v1/comments/{routed_to_spam}/moderate", {"action": "approve"})

    described = client.get("/api/v1/model", headers=site_moderator).get_json()

    assert described["threshold"] == 0.40
    assert described["drift"]["false_positives"] == 1


def test_the_console_and_the_api_agree_on_what_was_overturned(
    routed_to_spam, client, console, moderator, site_moderator
):
    moderator.post(f"/api/v1/comments/{routed_to_spam}/moderate", {"action": "approve"})
    console.login()

    stats = console.get("/moderate/stats").get_data(as_text=True)
    drift = client.get("/api/v1/model", headers=moderator.headers).get_json()["drift"]

    assert "<dd>100%</dd><small>of 1 decided</small>" in stats
    assert (drift["reviewed"], drift["false_positives"], drift["overturn_rate"]) == (1, 1, 1.0)


def test_confirming_the_models_verdict_is_no_overturn(routed_to_spam, client, moderator):
    confirmed = moderator.post(f"/api/v1/comments/{routed_to_spam}/moderate", {"action": "spam"})
    assert [(h["from"], h["to"]) for h in confirmed.get_json()["history"]] == [("spam", "spam")]

    drift = client.get("/api/v1/model", headers=moderator.headers).get_json()["drift"]

    assert (drift["reviewed"], drift["false_positives"], drift["overturn_rate"]) == (1, 0, 0.0)


def test_confirming_a_rules_spam_the_model_passed_is_the_models_miss(
    app, configure, submit, client, moderator
):
    configure(blocked_ips=["203.0.113.0/24"])
    app.extensions[scoring.CLASSIFIER] = Described(0.1)
    blocked = submit().get_json()
    assert blocked["status"] == "spam"

    moderator.post(f"/api/v1/comments/{blocked['id']}/moderate", {"action": "spam"})
    drift = client.get("/api/v1/model", headers=moderator.headers).get_json()["drift"]

    assert (drift["reviewed"], drift["false_negatives"], drift["false_positives"]) == (1, 1, 0)


@pytest.mark.parametrize(("spam_threshold", "counted"), [(None, 0), (0.5, 1)])
def test_only_a_site_with_a_threshold_has_verdicts_to_count(
    app, moderator, submit, spam_threshold, counted
):
    comment = submit().get_json()["id"]
    moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "spam"})

    with app.app_context():
        counts = overturns.verdicts({1: sites.Thresholds(spam_threshold, 0.2)})

    assert sum(counts.values()) == counted
