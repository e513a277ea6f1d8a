"""gunicorn as deployed (gunicorn.conf.py): what only the real server shows."""

import contextlib
import itertools
import re
import select
import socket
import threading
import time

import requests
from live import gunicorn, prepare
from load import comment
from support import bearer, stored_ids


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition, 0 when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    found = re.search(rf"^{name}{{{re.escape(wanted)}}} (\S+)$", metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_add_up_every_workers_requests(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'moderato.db'}"
    site = bearer(prepare(database_url)["site"])
    # tests/live.py leaves PROMETHEUS_MULTIPROC_DIR unset: the config alone must set it up.
    with gunicorn({"DATABASE_URL": database_url}, tmp_path, workers=2) as server:
        for _ in range(6):
            requests.get(f"{server.base}/healthz", timeout=10).raise_for_status()
        posted = requests.post(
            f"{server.base}/api/v1/comments", json=comment(1), headers=site, timeout=10
        )
        metrics = requests.get(f"{server.base}/metrics", timeout=10).text

    assert posted.status_code == 201, posted.text
    health = {"method": "GET", "endpoint": "/healthz", "status": "200"}
    assert sample(metrics, "moderato_http_requests_total", **health) >= 6
    created = {"method": "POST", "endpoint": "/api/v1/comments", "status": "201"}
    assert sample(metrics, "moderato_http_requests_total", **created) == 1
    status = posted.json()["status"]
    assert sample(metrics, "moderato_comments_total", status=status) == 1


class Trickler(threading.Thread):
    """A client that sends its request headers one byte a second, as a slowloris does."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 100

    def __init__(self, port: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.stop = port, stop
        self.cut_off_after: float | None = None  # seconds until the server hung up

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            started = time.monotonic()
            for byte in self.REQUEST:
                if self.stop.is_set() or self.hung_up(sock):
                    break
                with contextlib.suppress(OSError):  # a reset shows in hung_up() next time
                    sock.send(bytes([byte]))
                self.stop.wait(1)
            if self.hung_up(sock):
                self.cut_off_after = time.monotonic() - started

    @staticmethod
    def hung_up(sock: socket.socket) -> bool:
        """Whether the server closed the connection (it never answers a half-sent request)."""
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            return sock.recv(1) == b""
        except OSError:
            return True


def timed(call) -> tuple[float, requests.Response | None]:
    """Make a request; return how long it took and the response (None if it failed)."""
    started = time.monotonic()
    try:
        response = call()
    except requests.RequestException:
        response = None
    return time.monotonic() - started, response


def probe(base: str, site: dict, until: float) -> list[tuple]:
    """Ask /healthz and post a new comment every half second until `until`; time each."""
    probes = []
    for n in itertools.count():
        if time.monotonic() > until:
            return probes
        health = timed(lambda: requests.get(f"{base}/healthz", timeout=2))
        post = timed(
            lambda n=n: requests.post(
                f"{base}/api/v1/comments", json=comment(n), headers=site, timeout=2
            )
        )
        probes.append((health, post))
        time.sleep(0.5)


def test_slow_clients_do_not_stop_the_service_from_answering(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'moderato.db'}"
    site = bearer(prepare(database_url)["site"])
    stop = threading.Event()
    with gunicorn({"DATABASE_URL": database_url}, tmp_path, workers=2) as server:
        port = int(server.base.rsplit(":", 1)[1])
        tricklers, began = [Trickler(port, stop) for _ in range(24)], time.monotonic()
        try:
            for trickler in tricklers:
                trickler.start()
            time.sleep(2)  # every trickler has sent bytes: a sync worker would be taken
            probes = probe(server.base, site, until=began + 8)
            time.sleep(max(0.0, began + 9 - time.monotonic()))  # time to cut every one off
        finally:
            stop.set()
            for trickler in tricklers:
                trickler.join(timeout=5)
    stored = stored_ids(database_url)

    seconds = [round(took, 2) for pair in probes for took, _ in pair]
    healthy = [health is not None and health.ok for (_, health), _ in probes]
    created = [post is not None and post.status_code == 201 for _, (_, post) in probes]
    assert len(probes) >= 5 and all(healthy) and all(created) and max(seconds) < 2, seconds
    assert {post.json()["id"] for _, (_, post) in probes} <= stored
    # Each slow client is cut off, bounded by the header timeout (keepalive, 5 s).
    cut_off = [trickler.cut_off_after for trickler in tricklers]
    assert all(after is not None and after < 10 for after in cut_off), cut_off
