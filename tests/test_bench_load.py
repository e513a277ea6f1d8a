"""The bench's wrk script: every request a new reader, to Moderato's API and to Isso's alike.

Typical texts are distinct, as most readers' are; campaign texts are all near-duplicates.
"""

import difflib
import ipaddress
import itertools
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import wrk
from service import addresses, campaigns

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")

# Low groups near the top, so the readers' numbers carry into the fourth group mid-run.
NONCE = "0000fffe"
# Comments compared pairwise (each with each): enough for a 10-second bench load's worth
# of pairs to be likely, few enough to stay quick.
COMPARED = 400
# The longest run of words (and placeholders) two consecutive typical comments may share:
# a template's own words and a slot or two, never a sentence.
LONGEST_SHARED_RUN = 5


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


def load(
    server: ThreadingHTTPServer, path: str, protocol: str, texts: str = "typical"
) -> list[tuple[str, dict, dict]]:
    """One second of the bench's load on the recorder; each request it received, once.

    The script writes each request from a new reader number, so the same path and body twice
    is one request delivered twice, not a second reader: wrk did that once in CI on a loaded
    machine (904 recorded, 903 distinct). More than one in a hundred would be the script
    repeating itself, and fails here.
    """
    url = f"http://127.0.0.1:{server.server_port}{path}"
    done = wrk(url, 1, 1, "key", NONCE, protocol, texts)
    assert done.errors == 0 and done.requests >= 20, done
    once = {
        (where, json.dumps(body, sort_keys=True)): (where, headers, body)
        for where, headers, body in server.seen
    }
    assert len(once) >= 0.99 * len(server.seen), (len(once), len(server.seen))
    return list(once.values())


def contents(server: ThreadingHTTPServer, texts: str) -> list[str]:
    """The comments of one second of the JSON API's load, at most COMPARED of them."""
    return [body["content"] for _, _, body in load(server, "/api/v1/comments", "json", texts)][
        :COMPARED
    ]


def shared_run(a: str, b: str) -> int:
    """The longest run of words two texts share, as campaign grouping reads them."""
    x, y = ([token.text for token in campaigns.tokens(text)] for text in (a, b))
    return difflib.SequenceMatcher(None, x, y, autojunk=False).find_longest_match().size


def near_duplicates(texts: list[str]) -> list[tuple[str, str]]:
    """The pairs of texts that campaign grouping would put in one campaign."""
    shingled = [(text, campaigns.shingles(text)) for text in texts]
    return [
        (a, b)
        for (a, x), (b, y) in itertools.combinations(shingled, 2)
        if x is not None and y is not None and campaigns.alike(x, y)
    ]


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


def test_typical_comments_are_distinct_news_comments_and_never_near_duplicates(recorder):
    texts = contents(recorder, "typical")

    assert len(set(texts)) == len(texts)
    assert near_duplicates(texts) == []
    assert max(shared_run(a, b) for a, b in itertools.pairwise(texts)) <= LONGEST_SHARED_RUN
    assert {20 <= len(text.split()) <= 60 for text in texts} == {True}
    # Some spammers among the readers, with a link or a telephone number, as before.
    pitches = sum(bool(re.search(r"http://|\+1 555", text)) for text in texts)
    assert 0.1 * len(texts) < pitches < 0.4 * len(texts)


def test_campaign_comments_repeat_twelve_sentences(recorder):
    texts = contents(recorder, "campaign")

    assert len({re.sub(r" \(\d+\)$", "", text) for text in texts}) == 12
    alike = {text for pair in near_duplicates(texts) for text in pair}
    assert alike == set(texts)


def test_unknown_texts_are_refused_before_any_load(recorder):
    with pytest.raises(ValueError, match="typical, campaign"):
        wrk(f"http://127.0.0.1:{recorder.server_port}/", 1, 1, "key", NONCE, "json", "spam")

    assert recorder.seen == []
