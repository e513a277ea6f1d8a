"""The bench's wrk script: every request a new reader, to Moderato's API and to Isso's alike."""

import ipaddress
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import wrk
from service import addresses

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")

# Low groups near the top, so the readers' numbers carry into the fourth group mid-run.
NONCE = "0000fffe"


class Recorder(BaseHTTPRequestHandler):
    """Keep every POST's path, headers and JSON body; answer 201 as a comment server would."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append((self.path, dict(self.headers), body))
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        """Stay quiet: the test reads what was recorded."""


@pytest.fixture
def recorder() -> Iterator[ThreadingHTTPServer]:
    """A recording HTTP server on a free loopback port, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def load(server: ThreadingHTTPServer, path: str, protocol: str) -> list[tuple[str, dict, dict]]:
    """One second of the bench's load on the recorder; what it received."""
    done = wrk(f"http://127.0.0.1:{server.server_port}{path}", 1, 1, "key", NONCE, protocol)
    assert done.errors == 0 and done.requests >= 20, done
    return server.seen


def networks(addresses_seen: list[str], prefix: int) -> int:
    """How many distinct networks of a prefix length the addresses fall in."""
    return len({ipaddress.ip_network(f"{a}/{prefix}", strict=False) for a in addresses_seen})


def test_each_api_request_is_a_new_reader_to_flood_control(recorder):
    seen = load(recorder, "/api/v1/comments", "json")

    ips = [body["user_ip"] for _, _, body in seen]
    assert len({addresses.reader(ip) for ip in ips}) == len(seen)
    assert len({body["author_email"] for _, _, body in seen}) == len(seen)
    assert all(headers["Authorization"] == "Bearer key" for _, headers, _ in seen)


def test_isso_requests_name_a_thread_and_a_new_reader_per_48(recorder):
    seen = load(recorder, "/new", "isso")

    for path, headers, body in seen:
        post = re.fullmatch(r"/new\?uri=/post-(\d+)", path)
        assert post, path
        assert body.keys() == {"text", "author", "email", "title"}
        assert body["title"] == f"Post {post[1]}"
        assert headers["Content-Type"] == "application/json"
        assert "Authorization" not in headers
    ips = [headers["X-Forwarded-For"] for _, headers, _ in seen]
    # Isso's guard counts an address anonymised to its /48; Moderato's flood control a /64.
    assert networks(ips, 48) == networks(ips, 64) == len(seen)
    assert {ipaddress.ip_address(ip) in ipaddress.ip_network("2001:db8::/32") for ip in ips} == {
        True
    }
