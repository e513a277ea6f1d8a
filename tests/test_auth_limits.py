"""Who pays for a request: a site once it proved to be the site; a failure, its address."""

import uuid

import pytest
from support import bearer, count_comments

from service import credentials, ratelimit

ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}


@pytest.fixture
def post(valid_comment):
    """Post the n-th comment of a new reader with the given token, from an address."""

    def send(client, n: int, token: str, source: dict | None = None):
        body = valid_comment(
            content=f"Comment {n}.", author_email=f"r{n}@example.kz", user_ip=f"192.0.2.{n % 250}"
        )
        return client.post(
            "/api/v1/comments", json=body, headers=bearer(token), environ_base=source or {}
        )

    return send


def wrong_secret(token: str) -> str:
    return token.partition(".")[0] + ".wrong-secret"


def test_wrong_secrets_do_not_spend_the_site_s_budget(make_app, site_key, post):
    client = make_app(SITE_REQUEST_BURST=20).test_client()

    refused = [post(client, n, wrong_secret(site_key), ATTACKER).status_code for n in range(100)]

    assert set(refused) <= {401, 429}
    assert post(client, 100, site_key).status_code == 201
    assert count_comments(client.application) == 1


def test_failed_authentications_are_throttled_by_source_address(
    make_app, site_key, moderator_token, post, clock, monkeypatch
):
    client = make_app(AUTH_FAILURES_PER_MINUTE=3).test_client()
    compared = []
    matches = credentials.matches
    monkeypatch.setattr(credentials, "matches", lambda *a: compared.append(a) or matches(*a))
    failures = [
        post(client, 0, wrong_secret(site_key), ATTACKER),
        post(client, 1, "not-a-token", ATTACKER),
        client.get(
            "/api/v1/queue",
            headers=bearer(wrong_secret(moderator_token)),
            **{"environ_base": ATTACKER},
        ),
    ]
    assert [r.status_code for r in failures] == [401, 401, 401]
    compared.clear()

    over = post(client, 2, site_key, ATTACKER)  # the right key, from the failing address

    assert over.status_code == 429
    assert over.get_json() == {
        "error": "too many failed authentications from this address: at most 3 per minute"
    }
    assert over.headers["Retry-After"] == "60"
    assert compared == []  # refused before the secret was even compared
    assert post(client, 3, site_key).status_code == 201  # another address is not held back
    clock.advance(seconds=60)
    assert post(client, 4, site_key, ATTACKER).status_code == 201
    assert count_comments(client.application) == 2


def test_an_ipv6_attacker_s_failures_count_by_its_64(make_app, site_key, post):
    client = make_app(AUTH_FAILURES_PER_MINUTE=2).test_client()
    codes = [
        post(
            client, n, wrong_secret(site_key), {"REMOTE_ADDR": f"2001:db8:1:2::{n + 1}"}
        ).status_code
        for n in range(4)
    ]

    assert codes == [401, 401, 429, 429]


def test_successful_authentications_do_not_count_as_failures(make_app, site_key, post):
    client = make_app(AUTH_FAILURES_PER_MINUTE=1).test_client()

    codes = {post(client, n, site_key).status_code for n in range(5)}

    assert codes == {201}
    assert count_comments(client.application) == 5


def test_a_site_s_burst_is_taken_whole_then_held_to_its_rate(make_app, site_key, post, clock):
    client = make_app(SITE_REQUESTS_PER_SECOND=20).test_client()

    burst = []
    for n in range(100):  # one sequential client at 100 requests a second
        burst.append(post(client, n, site_key).status_code)
        clock.advance(seconds=0.01)

    assert burst == [201] * 100
    assert count_comments(client.application) == 100


def test_an_empty_bucket_refills_at_the_site_s_rate(make_app, site_key, post, clock):
    client = make_app(SITE_REQUESTS_PER_SECOND=2, SITE_REQUEST_BURST=3).test_client()

    codes = [post(client, n, site_key) for n in range(4)]
    assert [r.status_code for r in codes] == [201, 201, 201, 429]
    assert codes[3].headers["Retry-After"] == "1"
    clock.advance(seconds=0.5)
    assert post(client, 4, site_key).status_code == 201
    assert post(client, 5, site_key).status_code == 429
    assert count_comments(client.application) == 4


@pytest.fixture(params=["memory", "redis"])
def store(request):
    """Each store of windows and buckets: this process's memory, and Redis."""
    if request.param == "memory":
        return ratelimit.MemoryWindows()
    return ratelimit.RedisWindows(request.getfixturevalue("redis_url"), uuid.uuid4().hex)


def test_a_bucket_gives_its_burst_then_refills_at_its_rate(store):
    assert [store.take("site:1", 2, 3, 1000.0) for _ in range(3)] == [None, None, None]
    assert store.take("site:1", 2, 3, 1000.0) == 0.5
    assert store.take("site:1", 2, 3, 1000.25) == 0.25
    assert store.take("site:1", 2, 3, 1000.5) is None
    assert store.take("site:2", 2, 3, 1000.5) is None  # each key its own bucket
    # Idle for long, the bucket holds its burst and no more.
    assert [store.take("site:1", 2, 3, 2000.0) for _ in range(4)] == [None, None, None, 0.5]


def test_looking_at_a_window_adds_nothing(store):
    assert store.reserve(["k"], 2, 60, 1000.0, None) is None
    assert store.reserve(["k"], 2, 60, 1000.0, "a") is None
    assert store.reserve(["k"], 2, 60, 1001.0, None) is None
    assert store.reserve(["k"], 2, 60, 1002.0, "b") is None
    assert store.reserve(["k"], 2, 60, 1003.0, None) == 57.0


def test_two_apps_sharing_redis_share_failures_and_budgets(make_app, redis_url, site_key, post):
    config = {
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
        "AUTH_FAILURES_PER_MINUTE": 2,
        "SITE_REQUESTS_PER_SECOND": 1,
        "SITE_REQUEST_BURST": 2,
    }
    first, second = (make_app(**config).test_client() for _ in "ab")

    failures = [post(c, n, wrong_secret(site_key), ATTACKER) for n, c in enumerate([first, second])]
    genuine = [post(c, n, site_key) for n, c in enumerate([first, second, first], start=2)]

    assert [r.status_code for r in failures] == [401, 401]
    assert post(first, 5, site_key, ATTACKER).status_code == 429
    assert [r.status_code for r in genuine] == [201, 201, 429]
    assert count_comments(first.application) == 2


def test_a_window_with_spacing_refuses_an_entry_too_soon_after_the_last(store):
    keys = ["flood:1:ip:a", "flood:1:email:b"]

    assert store.reserve(keys, 3, 60, 1000.0, "one", 15) is None
    assert store.reserve(keys[1:], 3, 60, 1010.0, "two", 15) == 5.0
    assert store.reserve(keys, 3, 60, 1015.0, "two", 15) is None
    assert store.reserve(keys, 3, 60, 1030.0, "three", 15) is None
    # Spaced out enough, but the fourth in a minute: it waits for the first to leave.
    assert store.reserve(keys, 3, 60, 1045.0, "four", 15) == 15.0
    # A spacing longer than the window keeps entries that long.
    assert store.reserve(["k"], 5, 10, 1000.0, "one", 120) is None
    assert store.reserve(["k"], 5, 10, 1100.0, "two", 120) == 20.0


def test_behind_a_trusted_proxy_failures_count_by_the_client_it_names(
    make_app, site_key, valid_comment
):
    client = make_app(TRUSTED_PROXIES=1, AUTH_FAILURES_PER_MINUTE=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def through_proxy(n: int, token: str, forwarded: str):
        body = {"content": f"Comment {n}.", "author_email": f"r{n}@example.kz"}
        return client.post(
            "/api/v1/comments",
            json=valid_comment(**body),
            headers={**bearer(token), "X-Forwarded-For": forwarded},
            environ_base=proxy,
        )

    wrong = wrong_secret(site_key)
    assert [through_proxy(n, wrong, "198.51.100.66").status_code for n in (0, 1)] == [401, 429]
    assert through_proxy(2, site_key, "203.0.113.5").status_code == 201
    assert count_comments(client.application) == 1
