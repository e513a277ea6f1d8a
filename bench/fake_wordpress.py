"""A fake WordPress REST API on 127.0.0.1: as many comments as asked for, served at full speed.

It answers the requests `service.imports.wordpress` sends, in the shape WordPress 6.1 gives
them (copied from Debian's WordPress 6.1.9, which tests/test_import_wordpress.py checks it
against): the home page's Link header naming the API root, the API index, and
`/wp/v2/comments` in the `edit` context filtered by one status, oldest id first, a page at a
time, with `X-WP-Total`, `X-WP-TotalPages` and the `next`/`prev` Link. Comment n of 1..count
is computed, never stored, so 100,000 cost no memory: 60 % approved, 15 % held, 20 % spam,
5 % trash, as research/import_wordpress.py fills a real WordPress; every fifth answers the one
seven before, and every fiftieth from the seventh answers one 25 ids later (a parent WordPress lets
an editor change), so some replies come before their parents. Only HTTP Basic with
`USER`/`PASSWORD` may read comments; anyone else gets WordPress's 401. Nothing is written.
"""

import argparse
import base64
import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

USER, PASSWORD = "admin", "abcd efgh ijkl mnop qrst uvwx"
API_REL = "https://api.w.org/"
# Each status's share of twenty consecutive ids, as research/import_wordpress.py's SQL has it.
CYCLE = ["approved"] * 12 + ["hold"] * 3 + ["spam"] * 4 + ["trash"]
QUERIED = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}
WORDS = (
    "Thank you for following this story; my family has waited years for news like this.",
    "I disagree with the council here: the budget leaves the libraries with nothing.",
    "Cheap replica watches and bags, best prices, visit https://shop.example today.",
    "Earn 5000 a week from home, no experience needed, message me on Telegram now.",
    "The photo in the third paragraph is from 2019, not from this year; please correct.",
)
START = datetime(2015, 1, 1, tzinfo=UTC)
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
FORBIDDEN = {
    "code": "rest_forbidden_context",
    "message": "Sorry, you are not allowed to edit comments.",
    "data": {"status": 401},
}


class Comments:
    """count comments, by id and by status, each computed when it is asked for."""

    def __init__(self, count: int):
        self.count = count
        self.positions = {
            status: [r for r, s in enumerate(CYCLE) if s == status] for status in QUERIED.values()
        }

    def status(self, n: int) -> str:
        """The status of comment n (1-based)."""
        return CYCLE[(n - 1) % len(CYCLE)]

    def parent(self, n: int) -> int:
        """The id of the comment n answers, or 0."""
        if n % 50 == 7 and n + 25 <= self.count:
            return n + 25
        return n - 7 if n % 5 == 0 and n > 7 else 0

    def answered(self, n: int) -> bool:
        """Whether some comment answers comment n."""
        return any(0 < child <= self.count and self.parent(child) == n for child in (n + 7, n - 25))

    def total(self, status: str) -> int:
        """How many comments have a status."""
        blocks, rest = divmod(self.count, len(CYCLE))
        residues = self.positions[status]
        return blocks * len(residues) + sum(r < rest for r in residues)

    def ids(self, status: str, offset: int, limit: int) -> list[int]:
        """The ids of a status in order, from the offset-th, at most limit of them."""
        residues, ids = self.positions[status], []
        for k in range(offset, min(offset + limit, self.total(status))):
            block, slot = divmod(k, len(residues))
            ids.append(block * len(CYCLE) + residues[slot] + 1)
        return ids

    def json(self, n: int, base: str) -> dict:
        """Comment n as WordPress 6.1 serves it in the edit context."""
        reader = n % 997
        text = f"{WORDS[n % len(WORDS)]} ({n})"
        date = (START + timedelta(hours=3 * n)).strftime("%Y-%m-%dT%H:%M:%S")
        # Gravatar's key for an address, as WordPress computes it: a digest, not a secret.
        avatar = hashlib.md5(f"reader{reader}@readers.example".encode()).hexdigest()
        links = {
            "self": [{"href": f"{base}/wp-json/wp/v2/comments/{n}"}],
            "collection": [{"href": f"{base}/wp-json/wp/v2/comments"}],
            "up": [
                {"embeddable": True, "post_type": "post", "href": f"{base}/wp-json/wp/v2/posts/1"}
            ],
        }
        if self.answered(n):
            query = urlencode({"parent": n})
            links["children"] = [
                {"embeddable": True, "href": f"{base}/wp-json/wp/v2/comments?{query}"}
            ]
        if self.parent(n):
            links["in-reply-to"] = [
                {"embeddable": True, "href": f"{base}/wp-json/wp/v2/comments/{self.parent(n)}"}
            ]
        return {
            "id": n,
            "post": 1,
            "parent": self.parent(n),
            "author": 0,
            "author_name": f"Reader {reader}",
            "author_email": f"reader{reader}@readers.example",
            "author_url": f"https://reader{reader}.example/" if n % 3 == 0 else "",
            "author_ip": f"198.51.100.{n % 254 + 1}",
            "author_user_agent": AGENT,
            "date": date,
            "date_gmt": date,
            "content": {"rendered": f"<p>{text}</p>\n", "raw": text},
            "link": f"{base}/2015/01/01/hello-world/#comment-{n}",
            "status": self.status(n),
            "type": "comment",
            "author_avatar_urls": {
                size: f"http://2.gravatar.com/avatar/{avatar}?s={size}&d=mm&r=g"
                for size in ("24", "48", "96")
            },
            "meta": [],
            "_links": links,
        }


class FakeWordPress(ThreadingHTTPServer):
    """The fake site on a free loopback port; pages lists the comment pages sent, in order."""

    daemon_threads = True

    def __init__(self, count: int):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.comments = Comments(count)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.pages: list[tuple[str, int]] = []  # (status queried, page number)
        # A test's fault: once this many comment pages are served, drop every connection.
        self.drop_after_pages: int | None = None

    def handle_error(self, request, client_address) -> None:
        """Say nothing of a client that went away: the bench stops importers midway."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Answers GET as WordPress does; keeps connections alive as Apache does."""

    protocol_version = "HTTP/1.1"
    server: FakeWordPress

    def do_GET(self) -> None:
        """Route a request: the home page, the API index, or a page of comments."""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        route = query.pop("rest_route", None) or parts.path.removeprefix("/wp-json")
        if parts.path == "/" and "rest_route" not in parts.query:
            self._send(200, b"<!DOCTYPE html><html><head></head><body></body></html>", "text/html")
        elif route in ("/", ""):
            self._json(200, self._index())
        elif route == "/wp/v2/comments":
            self._comments(query)
        else:
            self._json(404, {"code": "rest_no_route", "message": "No route.", "data": {}})

    def log_message(self, *args) -> None:
        """Log nothing: a 100,000-comment import makes a thousand requests."""

    def _index(self) -> dict:
        base = self.server.base
        return {
            "name": "Fake WordPress",
            "description": "",
            "url": base,
            "home": base,
            "gmt_offset": "0",
            "timezone_string": "",
            "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"],
            "authentication": {"application-passwords": {"endpoints": {"authorization": ""}}},
            "routes": {},
        }

    def _comments(self, query: dict) -> None:
        """One page of one status's comments, oldest id first, or WordPress's refusal."""
        server = self.server
        if self.headers.get("Authorization") != _basic(USER, PASSWORD):
            self._json(401, FORBIDDEN)
            return
        if server.drop_after_pages is not None and len(server.pages) >= server.drop_after_pages:
            self.close_connection = True
            self.connection.close()  # the connection drops, as a proxy's timeout does
            return
        status = QUERIED[query["status"]]
        per_page, number = int(query.get("per_page", 10)), int(query.get("page", 1))
        total = server.comments.total(status)
        pages = -(-total // per_page)
        ids = server.comments.ids(status, (number - 1) * per_page, per_page)
        server.pages.append((query["status"], number))
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = [(rel, number + step) for rel, step in (("prev", -1), ("next", 1))]
        paging = ", ".join(
            f"<{server.base}/wp-json/wp/v2/comments?{urlencode({**query, 'page': page})}>; "
            f'rel="{rel}"'
            for rel, page in links
            if 1 <= page <= pages
        )
        if paging:
            headers["Link"] = paging
        self._json(200, [server.comments.json(n, server.base) for n in ids], headers)

    def _json(self, code: int, body, headers: dict | None = None) -> None:
        self._send(code, json.dumps(body).encode(), "application/json; charset=UTF-8", headers)

    def _send(self, code: int, body: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(code)
        # Every answer names the API root, unless pagination takes the header (PHP's header()).
        root = f'<{self.server.base}/wp-json/>; rel="{API_REL}"'
        for name, value in {"Link": root, "Content-Type": kind, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _basic(user: str, password: str) -> str:
    """The Authorization header of HTTP Basic."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@contextmanager
def serving(count: int) -> Iterator[FakeWordPress]:
    """Serve count comments in a thread until the block ends."""
    server = FakeWordPress(count)
    thread = threading.Thread(target=server.serve_forever, name="fake-wordpress", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def main() -> None:
    """Serve `python -m bench.fake_wordpress COUNT` until interrupted; print the URL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    options = parser.parse_args()
    with serving(options.count) as server:
        print(server.base, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
