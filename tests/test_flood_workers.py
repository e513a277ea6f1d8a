"""Flood control holds across two gunicorn workers that share Redis."""

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from live import gunicorn, prepare

READERS_LIMIT = 4  # the default flood_per_minute
ATTEMPTS = 12


@pytest.fixture
def shared_server(tmp_path, redis_url):
    """Two gunicorn workers on one SQLite file, counting in Redis; yield (base, secrets, log)."""
    database_url = f"sqlite:///{tmp_path / 'moderato.db'}"
    secrets = prepare(database_url)
    env = {
        "DATABASE_URL": database_url,
        # Unscored comments are routed all the same, and workers boot without loading a model.
        "MODEL_DIR": str(tmp_path / "no-models"),
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"moderato-test-{uuid.uuid4().hex}",
    }
    access = tmp_path / "access.log"
    # The access log names the worker (pid) that served each request.
    access_log = ("--access-logfile", str(access), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s")
    with gunicorn(env, tmp_path, workers=2, extra_args=access_log) as server:
        wait_until_both_workers_serve(server.base, access)
        yield server.base, secrets, access


def workers_seen(access: Path, request: str) -> set[str]:
    """The pids of the workers that served a request, from the access log."""
    return set(re.findall(rf"^<(\d+)> {request} ", access.read_text(), re.MULTILINE))


def wait_until_both_workers_serve(base: str, access: Path) -> None:
    """Send bursts of health checks until each worker has answered one."""
    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len(workers_seen(access, "GET /healthz")) < 2:
            assert time.monotonic() < deadline, "the second worker did not start in 60 s"
            list(pool.map(lambda _: requests.get(f"{base}/healthz", timeout=5), range(8)))


def post_at_once(base: str, site_key: str) -> list[requests.Response]:
    """Post ATTEMPTS comments from one address at once, so both workers are busy and must agree."""

    def post(n: int) -> requests.Response:
        body = {
            "post_id": "relatives-of-missing-kazakhs-fall-silent",
            "author_name": f"Reader {n}",
            "author_email": f"reader{n}@example.kz",
            "content": f"Comment number {n} from one address.",
            "user_ip": "203.0.113.7",
        }
        headers = {"Authorization": f"Bearer {site_key}"}
        return requests.post(f"{base}/api/v1/comments", json=body, headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        return list(pool.map(post, range(ATTEMPTS)))


def test_one_reader_gets_exactly_the_limit_across_two_workers(shared_server):
    base, secrets, access = shared_server
    headers = {"Authorization": f"Bearer {secrets['moderators'][0]}"}
    # The per-minute limit alone, not the interval between comments.
    change = {"flood_interval_seconds": 0}
    settings = requests.patch(f"{base}/api/v1/sites/news/settings", json=change, headers=headers)
    assert settings.status_code == 200, settings.text

    responses = post_at_once(base, secrets["site"])

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * READERS_LIMIT + [429] * (ATTEMPTS - READERS_LIMIT)
    refused = [r for r in responses if r.status_code == 429]
    assert all(1 <= int(r.headers["Retry-After"]) <= 60 for r in refused)
    assert len(workers_seen(access, "POST /api/v1/comments")) == 2, "both workers took comments"


def test_one_reader_stores_one_comment_in_the_interval_across_two_workers(shared_server):
    base, secrets, _ = shared_server

    responses = post_at_once(base, secrets["site"])

    assert sorted(r.status_code for r in responses) == [201] + [429] * (ATTEMPTS - 1)
    refused = [r for r in responses if r.status_code == 429]
    assert all(1 <= int(r.headers["Retry-After"]) <= 15 for r in refused)
