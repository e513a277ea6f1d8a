"""The example site's client: a 429 with a short Retry-After is sent again after that wait."""

import importlib.util
import threading
from pathlib import Path

import pytest
from support import count_comments
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent


def _client_module():
    """Import examples/news_site/moderato.py, the site's standard-library client."""
    path = ROOT / "examples" / "news_site" / "moderato.py"
    spec = importlib.util.spec_from_file_location("news_site_moderato", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


moderato = _client_module()


@pytest.fixture
def serve():
    """Serve an app on 127.0.0.1 in a thread for the test; return its base URL."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class Sleeper:
    """A stand-in for time.sleep: records each wait and moves the test clock by it."""

    def __init__(self, clock):
        self.clock, self.waits = clock, []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)


@pytest.fixture
def sleep(clock) -> Sleeper:
    return Sleeper(clock)


def reader(n: int, valid_comment) -> dict:
    return valid_comment(
        content=f"Reader {n} writes.", author_email=f"r{n}@example.kz", user_ip=f"192.0.2.{n}"
    )


def test_a_site_s_burst_over_its_budget_is_retried_and_stored(
    make_app, serve, site_key, valid_comment, sleep
):
    app = make_app(SITE_REQUESTS_PER_SECOND=1, SITE_REQUEST_BURST=2)
    client = moderato.Moderato(serve(app), "news", site_key, sleep=sleep)

    answers = [client.submit(reader(n, valid_comment)) for n in range(4)]

    assert [a.status for a in answers] == [201, 201, 201, 201]
    assert sleep.waits == [1, 1]
    assert count_comments(app) == 4


def test_a_reader_posting_too_often_is_told_at_once(
    make_app, serve, site_key, valid_comment, sleep
):
    app = make_app()
    client = moderato.Moderato(serve(app), "news", site_key, sleep=sleep)
    assert client.submit(valid_comment(content="First.")).status == 201

    answer = client.submit(valid_comment(content="Second, too soon."))

    assert (answer.status, answer.retry_after) == (429, 15)
    assert sleep.waits == []
    assert count_comments(app) == 1


def test_retries_are_bounded(make_app, serve, site_key, valid_comment):
    app = make_app(SITE_REQUESTS_PER_SECOND=1, SITE_REQUEST_BURST=1)
    waits = []  # the clock stands still: every retry is refused again
    client = moderato.Moderato(serve(app), "news", site_key, sleep=waits.append)
    assert client.submit(reader(0, valid_comment)).status == 201

    answer = client.submit(reader(1, valid_comment))

    assert (answer.status, answer.retry_after) == (429, 1)
    assert waits == [1] * moderato.RETRIES
    assert count_comments(app) == 1
