"""Failed console logins are throttled per address and email, without handing out lockouts."""

import logging
import uuid

import pytest
from support import CONSOLE_PASSWORD

from service.privacy import anonymise_ip

EMAIL = "ed@news.example"
PROXY = "10.0.0.1"


@pytest.fixture
def app(make_app, request):
    """The app, with the config a test asks for through indirect parametrisation.

    {"shared": True} counts in Redis (TEST_REDIS_URL), as every worker would.
    """
    config = dict(getattr(request, "param", {}))
    if config.pop("shared", False):
        redis_url = request.getfixturevalue("redis_url")
        config.update(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    return make_app(**config)


@pytest.fixture
def attempt(console, console_account):
    """Try to log in as EMAIL (created once) from an address; return the status."""
    console_account(EMAIL)

    def login(password: str, address: str = "198.51.100.1", forwarded: str | None = None):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        response = console.post(
            "/moderate/login",
            data={"email": EMAIL, "password": password},
            environ_base={"REMOTE_ADDR": address},
            headers=headers,
        )
        return response.status_code

    return login


@pytest.mark.parametrize("app", [{}, {"shared": True}], indirect=True, ids=["memory", "redis"])
def test_wrong_passwords_from_one_address_do_not_lock_the_account_out_elsewhere(attempt):
    answers = [attempt("wrong guess", address="198.51.100.66") for _ in range(11)]

    assert answers == [401] * 10 + [429]
    assert attempt(CONSOLE_PASSWORD, address="198.51.100.66") == 429
    assert attempt(CONSOLE_PASSWORD, address="203.0.113.5") == 302


@pytest.mark.parametrize("app", [{"LOGIN_FAILURES_PER_ADDRESS": 3}], indirect=True)
def test_one_address_guessing_many_accounts_is_throttled(console):
    def guess(email: str, address: str) -> int:
        data = {"email": email, "password": "wrong guess"}
        return console.post(
            "/moderate/login", data=data, environ_base={"REMOTE_ADDR": address}
        ).status_code

    answers = [guess(f"user{n}@news.example", "198.51.100.66") for n in range(4)]

    assert answers == [401, 401, 401, 429]
    assert guess("user9@news.example", "203.0.113.5") == 401


@pytest.mark.parametrize("app", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_a_trusted_proxy_each_client_is_counted_apart(attempt):
    answers = [attempt("wrong guess", PROXY, forwarded="198.51.100.66") for _ in range(11)]

    assert answers == [401] * 10 + [429]
    assert attempt(CONSOLE_PASSWORD, PROXY, forwarded="203.0.113.5") == 302


def test_without_trusted_proxies_the_forwarded_address_is_ignored(attempt):
    for n in range(10):
        attempt("wrong guess", PROXY, forwarded=f"198.51.100.{n}")

    assert attempt(CONSOLE_PASSWORD, PROXY, forwarded="203.0.113.5") == 429


@pytest.mark.parametrize(
    ("app", "logged"),
    # The access log keeps the client's network, never its address (issue #12, finding 14).
    [({"TRUSTED_PROXIES": 1}, "203.0.113.0"), ({}, anonymise_ip(PROXY))],
    indirect=["app"],
)
def test_the_client_address_is_the_proxy_aware_one_app_wide(app, client, caplog, logged):
    caplog.set_level(logging.INFO, logger="moderato.access")
    client.get(
        "/healthz", environ_base={"REMOTE_ADDR": PROXY}, headers={"X-Forwarded-For": "203.0.113.5"}
    )

    assert [record.remote_addr for record in caplog.records if hasattr(record, "remote_addr")] == [
        logged
    ]


def test_guesses_from_one_ipv6_64_count_as_one_client(attempt):
    answers = [attempt("wrong guess", address=f"2001:db8:5:6::{n:x}") for n in range(1, 12)]

    assert answers == [401] * 10 + [429]
    assert attempt(CONSOLE_PASSWORD, address="2001:db8:5:7::1") == 302  # the next /64 may log in
