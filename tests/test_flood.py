"""Flood control per reader and the per-site-key request limit: 429 with Retry-After."""

import uuid
from datetime import timedelta

import pytest
from support import bearer, count_comments

from service import ratelimit
from service.errors import TooManyRequests


@pytest.fixture
def reader_pace() -> timedelta:
    """Post without moving the clock: these tests time flood control themselves."""
    return timedelta(0)


def reader(n: int, **overrides) -> dict:
    """The n-th comment of one reader: new words each time, so none is a duplicate."""
    return {"content": f"Comment number {n} from the same reader.", **overrides}


def assert_flooded(response, retry_after: int, per_minute: int) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry_after)
    assert response.get_json() == {
        "error": f"too many comments from this reader: at most {per_minute} per minute"
    }


@pytest.mark.parametrize(
    "vary",
    [
        lambda n: {"author_email": f"r{n}@example.kz"},  # one IP, a new email each time
        lambda n: {"user_ip": f"198.51.100.{n}"},  # one email, a new IP each time
    ],
    ids=["by-ip", "by-email"],
)
def test_a_reader_over_the_limit_gets_429_and_nothing_is_stored(app, submit, configure, vary):
    configure(flood_per_minute=2, flood_interval_seconds=0)

    assert [submit(**reader(n, **vary(n))).status_code for n in range(2)] == [201, 201]
    assert_flooded(submit(**reader(2, **vary(2))), 60, 2)
    assert count_comments(app) == 2


def test_the_default_is_four_a_minute(app, submit, configure):
    configure(flood_interval_seconds=0)
    codes = [submit(**reader(n)).status_code for n in range(5)]

    assert codes == [201, 201, 201, 201, 429]


def test_retry_after_counts_down_to_when_the_oldest_leaves_the_window(submit, configure, clock):
    configure(flood_per_minute=2, flood_interval_seconds=0)
    submit(**reader(0))
    clock.advance(seconds=20)
    submit(**reader(1))
    clock.advance(seconds=15)

    assert_flooded(submit(**reader(2)), 25, 2)
    clock.advance(seconds=25)
    assert submit(**reader(3)).status_code == 201


def test_other_readers_are_not_held_back(submit, configure):
    configure(flood_per_minute=1)
    submit(**reader(0))

    assert submit(**reader(1)).status_code == 429
    other = submit(**reader(1, user_ip="198.51.100.9", author_email="else@example.kz"))
    assert other.status_code == 201


def test_refused_requests_do_not_count(app, submit, configure):
    configure(flood_per_minute=2, flood_interval_seconds=0)
    submit(**reader(0))

    assert submit(**reader(0)).status_code == 409  # duplicate
    assert submit(**reader(1, author_url="ftp://x")).status_code == 422
    assert submit(**reader(1)).status_code == 201
    assert count_comments(app) == 2


def test_a_failed_store_gives_its_place_back(app):
    with app.test_request_context():
        with pytest.raises(RuntimeError), ratelimit.reader_slot(1, "203.0.113.7", "a@b.kz", 1):
            raise RuntimeError("storage failed")
        with ratelimit.reader_slot(1, "203.0.113.7", "a@b.kz", 1):
            pass
        with pytest.raises(TooManyRequests), ratelimit.reader_slot(1, None, "A@b.kz", 1):
            pass


# --- one comment every so many seconds, as WordPress ------------------------------------------


def test_by_default_a_reader_waits_15_seconds_between_comments(app, submit, clock):
    codes = []
    for n in range(3):  # three comments in three seconds
        codes.append(submit(**reader(n)))
        clock.advance(seconds=1)

    assert [r.status_code for r in codes] == [201, 429, 429]
    assert codes[2].headers["Retry-After"] == "13"
    assert codes[2].get_json() == {
        "error": "too many comments from this reader: at most 4 per minute and one every 15 seconds"
    }
    assert count_comments(app) == 1
    clock.advance(seconds=12)
    assert submit(**reader(3)).status_code == 201


@pytest.mark.parametrize(
    "vary",
    [
        lambda n: {"author_email": f"r{n}@example.kz"},
        lambda n: {"user_ip": f"2001:db8:1:2::{n + 1}"},
    ],
    ids=["by-ip", "by-email"],
)
def test_the_interval_holds_without_a_per_minute_limit(app, submit, configure, clock, vary):
    configure(flood_per_minute=None, flood_interval_seconds=30)
    assert submit(**reader(0, **vary(0))).status_code == 201
    clock.advance(seconds=10)

    refused = submit(**reader(1, **vary(1)))

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert refused.get_json() == {
        "error": "too many comments from this reader: one every 30 seconds"
    }
    assert count_comments(app) == 1


def test_a_failed_store_gives_its_place_in_the_interval_back(app):
    with app.test_request_context():
        with pytest.raises(RuntimeError), ratelimit.reader_slot(1, None, "a@b.kz", None, 15):
            raise RuntimeError("storage failed")
        with ratelimit.reader_slot(1, None, "a@b.kz", None, 15):
            pass
        with pytest.raises(TooManyRequests), ratelimit.reader_slot(1, None, "a@b.kz", 9, 15):
            pass


def test_no_flood_limit_when_turned_off(submit, configure):
    configure(flood_per_minute=None, flood_interval_seconds=0)

    assert {submit(**reader(n)).status_code for n in range(8)} == {201}


# --- the per-site-key request rate ------------------------------------------------------------


def test_a_site_key_is_limited_per_second_but_not_by_a_wrong_secret(
    make_app, site_key, valid_comment, clock, configure
):
    client = make_app(SITE_REQUESTS_PER_SECOND=2, SITE_REQUEST_BURST=2).test_client()
    configure(flood_interval_seconds=0)
    wrong = bearer(site_key.partition(".")[0] + ".wrong-secret")

    codes = [
        client.post("/api/v1/comments", json=valid_comment(content=f"n{n}"), headers=headers)
        for n, headers in enumerate([bearer(site_key), wrong, bearer(site_key), bearer(site_key)])
    ]

    # The wrong secret is refused without spending the site's budget of two.
    assert [r.status_code for r in codes] == [201, 401, 201, 429]
    assert codes[3].headers["Retry-After"] == "1"
    assert codes[3].get_json() == {
        "error": "too many requests with this site key: at most 2 per second"
    }
    clock.advance(seconds=1)
    assert (
        client.post(
            "/api/v1/comments", json=valid_comment(content="later"), headers=bearer(site_key)
        ).status_code
        == 201
    )


def test_moderators_are_not_limited_by_the_site_rate(make_app, moderator_token):
    client = make_app(SITE_REQUESTS_PER_SECOND=1).test_client()

    codes = {
        client.get("/api/v1/queue", headers=bearer(moderator_token)).status_code for _ in "abc"
    }

    assert codes == {200}


# --- shared through Redis ------------------------------------------------------------------------


@pytest.fixture
def shared(make_app, redis_url):
    """Two apps (as two workers would be) sharing one Redis under a fresh key prefix."""
    config = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    return make_app(**config), make_app(**config)


def test_two_apps_sharing_redis_share_the_limit(shared, site_headers, valid_comment, configure):
    configure(flood_per_minute=3, flood_interval_seconds=0)
    first, second = (app.test_client() for app in shared)

    codes = [
        (first if n % 2 else second)
        .post("/api/v1/comments", json=valid_comment(**reader(n)), headers=site_headers)
        .status_code
        for n in range(5)
    ]

    assert codes == [201, 201, 201, 429, 429]


def test_redis_windows_release_and_expire(redis_url):
    windows = ratelimit.RedisWindows(redis_url, uuid.uuid4().hex)
    keys = ["flood:1:ip:a", "flood:1:email:b"]

    assert windows.reserve(keys, 1, 60, 1000.0, "one") is None
    assert windows.reserve(keys[1:], 1, 60, 1010.0, "two") == 50.0
    windows.release(keys, "one")
    assert windows.reserve(keys, 1, 60, 1010.0, "three") is None
    assert windows.reserve(keys, 1, 60, 1070.5, "four") is None


def test_an_unreachable_redis_does_not_cost_comments(make_app, site_headers, valid_comment):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()

    codes = [
        client.post("/api/v1/comments", json=valid_comment(**reader(n)), headers=site_headers)
        for n in range(6)
    ]

    assert {r.status_code for r in codes} == {201}


def test_memory_windows_forget_readers_whose_windows_have_passed():
    windows = ratelimit.MemoryWindows()
    for n in range(1100):
        windows.reserve([f"flood:1:ip:old-{n}"], 1, 60, 0.0, "entry")
    assert windows.reserve(["flood:1:ip:old-0"], 1, 60, 30.0, "again") == 30.0

    for n in range(1000):
        windows.reserve([f"flood:1:ip:new-{n}"], 1, 60, 61.0, "entry")

    # Swept as it grew: only the readers still inside their window are kept.
    assert len(windows._entries) == 1000


# --- one reader, however its address is written ---------------------------------------------


def test_a_reader_s_ipv6_64_counts_as_one_reader(app, submit, configure):
    configure(flood_per_minute=2, flood_interval_seconds=0)

    codes = [
        submit(
            **reader(n, user_ip=f"2001:db8:1:2::{n}", author_email=f"r{n}@example.kz")
        ).status_code
        for n in range(1, 7)
    ]

    assert codes == [201, 201, 429, 429, 429, 429]
    assert count_comments(app) == 2
    other_64 = reader(7, user_ip="2001:db8:1:3::1", author_email="r7@example.kz")
    assert submit(**other_64).status_code == 201


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("198.51.100.91", "::ffff:198.51.100.91"),
        ("::ffff:198.51.100.91", "198.51.100.91"),
        ("fe80::1%eth0", "fe80::1%eth1"),
    ],
)
def test_two_spellings_of_one_address_count_as_one_reader(app, submit, configure, first, second):
    configure(flood_per_minute=1, flood_interval_seconds=0)
    assert submit(**reader(0, user_ip=first, author_email="a@example.kz")).status_code == 201

    assert_flooded(submit(**reader(1, user_ip=second, author_email="b@example.kz")), 60, 1)
    assert count_comments(app) == 1
