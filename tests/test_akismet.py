"""Akismet's protocol, field by field, from what a real WordPress 6.1 with Akismet 5.0.2 sent.

tests/data/wordpress-6.1-akismet-5.0.2-calls.jsonl holds those calls (see ../shared/akismet);
each test replays them against the service with the site's own Akismet key.
"""

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from service import scoring, sites
from service.db import db
from service.tables import Comment, ModerationAction, Status

CALLS = Path(__file__).parent / "data" / "wordpress-6.1-akismet-5.0.2-calls.jsonl"
WORDPRESS = {"User-Agent": "WordPress/6.1.9 | Akismet/5.0.2", "Host": "rest.akismet.com"}


def captured() -> list[dict]:
    """The captured calls in order, each with the step (marker) it belongs to."""
    calls, step = [], None
    for line in CALLS.read_text().splitlines():
        entry = json.loads(line)
        if "marker" in entry:
            step = entry["marker"]
        else:
            calls.append({**entry, "step": step})
    return calls


def call(step: str, path: str = "/1.1/comment-check") -> dict:
    """The first captured call to a path in the step whose marker starts with `step`."""
    return next(c for c in captured() if c["step"].startswith(step) and c["path"] == path)


class ByWords:
    """A stand-in model: 0.99 for the captured session's spam words, 0.05 for the rest."""

    version = "by-words-test-model"
    threshold = 0.9

    def score(self, record: dict) -> float:
        words = ("viagra", "discard-me", "blatant spam")
        return 0.99 if any(w in record["content"] for w in words) else 0.05


@pytest.fixture
def akismet_key(app, create_secret) -> str:
    """A site "wp" and its Akismet key, made with the real CLI; comments scored ByWords.

    The captured session's readers all wrote from 127.0.0.1 within seconds, which the
    site's flood control would refuse (as WordPress did until the capture lifted it).
    """
    create_secret("sites", "create", "wp")
    with app.app_context():
        site = sites.named("wp")
        unlimited = sites.changed(site, {"flood_per_minute": None, "flood_interval_seconds": 0})
        sites.save(site, unlimited, None, "test setup")
        db.session.commit()
    app.extensions[scoring.CLASSIFIER] = ByWords()
    return create_secret("sites", "akismet-key", "wp")


@pytest.fixture
def replay(client, akismet_key):
    """Send one captured call (or its form with changes) as WordPress did, with our key."""

    def send(captured_call: dict, key: str | None = None, source="127.0.0.1", **changes):
        form = {**(captured_call["form"] or {}), **changes}
        for name in ("api_key", "key"):
            if form.get(name) is not None:
                form[name] = akismet_key if key is None else key
        form = {name: value for name, value in form.items() if value is not None}
        sent = {"headers": WORDPRESS, "environ_base": {"REMOTE_ADDR": source}}
        if captured_call["method"] == "GET":
            return client.get(captured_call["path"], **sent)
        return client.post(captured_call["path"], data=form, **sent)

    return send


def stored(app) -> list[Comment]:
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def actions(app) -> list[ModerationAction]:
    with app.app_context():
        return db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id)).all()


def test_the_new_key_is_twelve_hex_digits_alone_on_the_last_line(akismet_key, create_secret):
    assert re.fullmatch("[0-9a-f]{12}", akismet_key)
    assert create_secret("sites", "akismet-key", "wp") != akismet_key


def test_a_readers_comment_is_stored_scored_and_answered_false(app, replay):
    response = replay(call("1 ham"))

    [comment] = stored(app)
    assert response.get_data(as_text=True) == "false"
    assert response.mimetype == "text/plain"
    assert response.headers["X-akismet-guid"] == str(comment.id)
    assert (comment.author_name, comment.author_email) == ("Alice Example", "alice@example.com")
    assert comment.author_url == "https://alice.example.org"
    assert comment.content == "Nice first post, thanks for writing it up."
    assert comment.post_id == "1"  # comment_post_ID: a post's id outlives its slug
    assert comment.user_ip == "127.0.0.1"
    assert comment.user_agent.startswith("Mozilla/5.0 (X11; Linux x86_64)")
    assert comment.referrer == "http://127.0.0.1:8088/index.php/2026/11/30/hello-world/"
    assert (comment.spam_score, comment.model_version) == (0.05, "by-words-test-model")
    assert comment.status == Status.PENDING


def test_nothing_but_what_serves_moderation_is_stored(app, replay):
    replay(call("1 ham"))

    with app.app_context():
        row = db.session.execute(sa.select(Comment.__table__)).one()._asdict()
    text = json.dumps(row, default=str)
    for field in ("POST_ak_bkp", "400a21d21e", "HTTP_ACCEPT_LANGUAGE", "en-US,en;q=0.9"):
        assert field not in text


def test_spam_is_answered_true(app, replay):
    response = replay(call("2 spam"))

    [comment] = stored(app)
    assert response.get_data(as_text=True) == "true"
    assert "X-akismet-pro-tip" not in response.headers  # a score is never proof enough
    assert comment.status == Status.SPAM
    assert comment.reasons == ["score 0.99 >= spam threshold 0.90"]


def test_only_a_filled_honeypot_earns_discard(app, replay):
    blatant = call("3 comment with pro-tip")

    plain = replay(blatant)
    trapped = replay(
        blatant, comment_content="Another, with the trap filled", POST_ak_hp_textarea="x"
    )
    own_trap = replay(
        blatant,
        comment_content="A third, in the site's own trap",
        honeypot_field_name="hidden_phone",
        POST_hidden_phone="555",
    )

    assert "X-akismet-pro-tip" not in plain.headers
    assert trapped.headers["X-akismet-pro-tip"] == "discard"
    assert own_trap.headers["X-akismet-pro-tip"] == "discard"
    assert [c.reasons[0] for c in stored(app)][1:] == ["honeypot field was filled in"] * 2


def test_the_live_checks_backslashes_are_undone_and_submit_finds_the_same_comment(app, replay):
    checked = replay(call("15 quotes"))
    reported = replay(call("16 admin marks", "/1.1/submit-spam"))

    [comment] = stored(app)
    assert comment.content == 'It\'s "quoted" back\\slash — café ☕ <b>bold</b>'
    assert checked.get_data(as_text=True) == "false"
    assert reported.get_data(as_text=True) == "Thanks for making the web a better place."
    assert comment.status == Status.SPAM


def test_submit_spam_and_ham_are_the_sites_moderators_decisions(app, replay):
    replay(call("5 ham comment"))
    replay(call("2 spam"))

    replay(call("9 admin marks", "/1.1/submit-spam"))
    replay(call("10 admin clicks Not Spam", "/1.1/submit-ham"))

    first, second = stored(app)
    assert (first.status, second.status) == (Status.SPAM, Status.APPROVED)
    decisions = [(a.comment_id, a.from_status, a.to_status, a.via) for a in actions(app)]
    assert decisions == [
        (first.id, Status.PENDING, Status.SPAM, "admin via WordPress/6.1.9"),
        (second.id, Status.SPAM, Status.APPROVED, "admin via WordPress/6.1.9"),
    ]
    assert all(a.moderator_id is None for a in actions(app))


def test_a_repeated_report_changes_nothing(app, replay):
    replay(call("2 spam"))
    report = call("10 admin clicks Not Spam", "/1.1/submit-ham")

    replay(report)
    replay(report)

    assert [a.to_status for a in actions(app)] == [Status.APPROVED]
    assert len(stored(app)) == 1


def test_a_report_of_a_comment_never_checked_stores_it_with_its_label(app, replay):
    response = replay(call("9 admin marks", "/1.1/submit-spam"))

    [comment] = stored(app)
    assert response.get_data(as_text=True) == "Thanks for making the web a better place."
    assert comment.content == "Coming back to say the follow-up was great too."
    assert comment.status == Status.SPAM
    assert [a.to_status for a in actions(app)] == [Status.SPAM]


def test_a_recheck_rescores_the_stored_comment_and_never_stores_a_second(app, replay, score_as):
    score_as(None)  # the model is down when WordPress first asks
    first = replay(call("7 comment answered with HTTP 500"))
    app.extensions[scoring.CLASSIFIER] = ByWords()

    again = replay(call("11 WP-cron", "/1.1/comment-check"))  # recheck_reason=retry

    [comment] = stored(app)
    assert first.headers["X-akismet-error"]  # WordPress holds it and asks again later
    assert first.get_data(as_text=True) not in ("true", "false")
    assert again.get_data(as_text=True) == "false"
    assert "X-akismet-error" not in again.headers
    assert (comment.spam_score, comment.reasons[0]) == (0.05, "score 0.05 < spam threshold 0.90")


@pytest.mark.parametrize(
    ("step", "path"),
    [
        ("11 WP-cron", "/1.1/verify-key"),
        ("1 ham", "/1.1/comment-check"),
        ("9 admin", "/1.1/submit-spam"),
    ],
)
def test_a_bad_key_is_invalid_with_help(replay, step, path):
    for key in ("0123456789ab", "not-hex-key!", ""):
        response = replay(call(step, path), key=key)

        assert response.get_data(as_text=True) == "invalid"
        assert response.headers["X-akismet-debug-help"]


def test_the_key_may_come_as_key_api_key_or_the_host_name(client, replay, akismet_key):
    verify = call("11 WP-cron", "/1.1/verify-key")
    older = {"User-Agent": "OldClient/1.0", "Host": f"{akismet_key}.rest.akismet.com"}

    assert replay(verify).get_data(as_text=True) == "valid"  # api_key, as the plugin sends
    assert replay(verify, api_key=None).get_data(as_text=True) == "valid"  # key alone
    by_host = client.post("/1.1/verify-key", data={"blog": "http://x"}, headers=older)
    assert by_host.get_data(as_text=True) == "valid"


def test_wrong_guesses_are_refused_by_address_and_never_spend_the_sites_budget(replay):
    verify = call("11 WP-cron", "/1.1/verify-key")

    guesses = [
        replay(verify, key=f"{n:012x}", source="198.51.100.66").get_data(as_text=True)
        for n in range(40)
    ]
    genuine = [replay(verify, source="203.0.113.9").get_data(as_text=True) for _ in range(30)]

    assert guesses[0] == "invalid"
    assert guesses[-1] not in ("valid", "invalid")  # that address is now refused outright
    assert genuine == ["valid"] * 30


def test_is_test_is_answered_but_stored_nowhere(app, replay):
    response = replay(call("2 spam"), is_test="1")

    assert response.get_data(as_text=True) == "true"
    assert stored(app) == []


@pytest.mark.parametrize(
    ("changes", "answer", "status"),
    [
        ({"comment_author": "akismet-guaranteed-spam"}, "true", Status.SPAM),
        ({"user_role": "administrator"}, "false", Status.APPROVED),
    ],
)
def test_akismets_documented_test_values_get_their_answers(app, replay, changes, answer, status):
    response = replay(call("1 ham"), **changes)

    assert response.get_data(as_text=True) == answer
    assert stored(app)[0].status == status


def test_a_comment_without_an_email_is_held_not_lost_nor_passed(app, replay):
    response = replay(call("1 ham"), comment_author_email="")

    assert response.get_data(as_text=True) not in ("true", "false")
    assert "author_email" in response.headers["X-akismet-error"]
    assert stored(app) == []


def test_storage_failure_makes_wordpress_hold_the_comment(app, replay, refuse_inserts):
    response = replay(call("1 ham"))

    assert response.get_data(as_text=True) not in ("true", "false")
    assert response.headers["X-akismet-error"]


def test_the_settings_page_reads_real_figures(replay):
    replay(call("1 ham"))
    replay(call("2 spam"))

    subscription = replay(call("13 admin opens", "/1.1/get-subscription")).get_json()
    stats = replay(call("13 admin opens", "/1.1/get-stats")).get_json()
    connected = replay(call("13 admin opens", "/1.1/test"))

    assert (subscription["status"], subscription["account_name"]) == ("active", "wp")
    assert (stats["spam"], stats["ham"]) == (1, 1)
    assert set(stats) >= {"spam", "ham", "missed_spam", "false_positives", "accuracy"}
    assert connected.get_data(as_text=True) == "connected"


def test_a_site_moderated_in_its_own_tool_keeps_its_held_comments_out_of_the_queue(
    app, replay, admin, moderator
):
    replay(call("1 ham"))
    assert len(moderator.get("/api/v1/queue").get_json()["items"]) == 1

    admin.patch("/api/v1/sites/wp/settings", {"moderated_in": "client"})

    assert moderator.get("/api/v1/queue").get_json()["items"] == []
    assert moderator.get("/api/v1/queue?status=pending").get_json()["items"] == []


def test_an_admin_rotates_the_akismet_key_in_the_console_and_the_old_one_is_refused(
    console, replay, akismet_key
):
    console.login("root@news.example", "--admin")
    sites_page = console.get("/moderate/admin/sites").get_data(as_text=True)
    site_id = re.search(r"/moderate/admin/sites/(\d+)/settings", sites_page).group(1)
    page = console.get(f"/moderate/admin/sites/{site_id}/settings").get_data(as_text=True)

    unconfirmed = console.post(f"/moderate/admin/sites/{site_id}/akismet-key")
    rotated = console.post(f"/moderate/admin/sites/{site_id}/akismet-key", data={"confirm": "yes"})

    assert "This site has one." in page
    assert unconfirmed.status_code == 422
    assert "the site&#39;s current Akismet key stops working" in unconfirmed.get_data(as_text=True)
    assert rotated.status_code == 201
    assert rotated.headers["Cache-Control"] == "no-store"
    new_key = rotated.get_data(as_text=True).split('<code class="secret">')[1].split("<")[0]
    verify = call("11 WP-cron", "/1.1/verify-key")
    assert replay(verify).get_data(as_text=True) == "invalid"  # the old key, at once
    assert replay(verify, key=new_key).get_data(as_text=True) == "valid"


def test_the_same_comment_checked_twice_is_answered_from_the_stored_one(app, replay):
    first = replay(call("2 spam"))
    again = replay(call("2 spam"))

    assert again.get_data(as_text=True) == first.get_data(as_text=True) == "true"
    assert again.headers["X-akismet-guid"] == first.headers["X-akismet-guid"]
    assert len(stored(app)) == 1


def test_an_error_quoting_a_readers_text_still_answers(app, replay):
    response = replay(call("1 ham"), comment_author_email="zoë@ex★ample.com")

    assert response.status_code == 200
    assert response.get_data(as_text=True) not in ("true", "false")
    assert response.headers["X-akismet-error"].isascii()
    assert stored(app) == []
