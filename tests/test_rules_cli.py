"""`flask rules test SETTINGS.json`: a dry run of a settings change over stored comments."""

import json

import pytest


@pytest.fixture
def dry_run(runner, tmp_path):
    """Run `rules test` with these settings (a dict, or raw text) and extra arguments."""

    def run(settings, *args: str):
        path = tmp_path / "settings.json"
        path.write_text(settings if isinstance(settings, str) else json.dumps(settings))
        return runner.invoke(args=["rules", "test", str(path), *args])

    return run


@pytest.fixture
def history(submit, moderator, score_as, clock):
    """Stored comments: plain, one with "casino", a honeypot spam, a trusted author's."""
    score_as(0.05)
    submit(content="A thoughtful comment.")
    casino = submit(content="Best casino bonus, visit now.", author_email="c@example.kz")
    submit(content="Bot text.", honeypot="filled", author_email="bot@example.kz")
    first = submit(content="First from a regular.", author_email="regular@example.kz")
    moderator.post(f"/api/v1/comments/{first.get_json()['id']}/moderate", {"action": "approve"})
    clock.advance(minutes=5)
    trusted = submit(content="Second from a regular.", author_email="regular@example.kz")
    assert trusted.get_json()["status"] == "approved"
    return casino.get_json()["id"], trusted.get_json()["id"]


def test_a_new_disallowed_word_shows_what_would_go_to_spam(dry_run, history):
    casino, _ = history

    result = dry_run({"disallowed_words": ["casino"]})

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "replayed 5 comments of site 'news' from the last 30 days",
        "1 would route differently",
        "  pending -> spam: 1",
    ]
    assert lines[3] == f"    #{casino} on relatives-of-missing-kazakhs-fall-silent by Aigerim"
    assert lines[5] == (
        '      reasons: matched disallowed word "casino" in content; '
        "score 0.05 < spam threshold 0.90"
    )


def test_turning_trust_off_shows_approvals_that_would_wait(dry_run, history):
    _, trusted = history

    result = dry_run({"trusted": "off"})

    assert "1 would route differently" in result.output
    assert "  approved -> pending: 1" in result.output
    assert f"#{trusted} " in result.output


def test_the_current_settings_change_nothing(dry_run, history):
    result = dry_run({})

    assert result.exit_code == 0
    assert "0 would route differently" in result.output.splitlines()


def test_only_the_last_days_are_replayed(dry_run, history, clock):
    clock.advance(days=31)

    assert "replayed 0 comments" in dry_run({}).output
    assert "replayed 5 comments" in dry_run({}, "--days", "40").output


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object of settings"),
        ({"max_link": 3}, "invalid settings: max_link: Unknown field."),
        ({"trusted": "maybe"}, "invalid settings: trusted: Must be one of"),
    ],
)
def test_invalid_settings_exit_2_with_the_reason(dry_run, site_key, settings, message):
    result = dry_run(settings)

    assert result.exit_code == 2
    assert message in result.output


def test_the_site_is_chosen_by_name_when_there_are_several(dry_run, create_secret, site_key):
    create_secret("sites", "create", "other")

    assert "choose a site with --site NAME" in dry_run({}).output
    assert "no site named 'nowhere'" in dry_run({}, "--site", "nowhere").output
    assert "replayed 0 comments of site 'other'" in dry_run({}, "--site", "other").output


def test_without_sites_there_is_nothing_to_replay(dry_run):
    result = dry_run({})

    assert result.exit_code == 1
    assert "no sites yet" in result.output
