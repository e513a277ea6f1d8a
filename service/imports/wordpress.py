"""Read every comment of a WordPress site over its REST API, with an application password.

WordPress (5.6 and later) serves `/wp/v2/comments` in the `edit` context (raw content,
email, IP, user agent) to a user who may moderate comments, authenticated by HTTP Basic with
one of that user's application passwords. The API root is the one the site advertises
itself, so plain permalinks (`/?rest_route=/`) and pretty ones (`/wp-json/`) both work. Only
GET requests are sent: reading a site's history must never change it.
"""

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ..tables import Status
from . import Imported, ImportFailure, Problem

# The link relation WordPress gives its REST API root, in a Link header and in each page.
API_REL = "https://api.w.org/"
# WordPress's `status` filter takes one status at a time: every one a moderator can set.
QUERIED = ("approve", "hold", "spam", "trash")
# Each comment's status as WordPress reports it, and the verdict it was.
VERDICTS = {
    "approved": Status.APPROVED,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REJECTED,
}
PER_PAGE = 100  # the most WordPress serves in one page
# Seconds to connect, and to wait for a page: a slow host renders 100 comments in a few.
TIMEOUT = (10, 60)
USER_AGENT = "Moderato history import (WordPress REST API, read only)"


class Comments:
    """A site's comments as they are read: the import's source name, how many, each in turn.

    source_name is "WordPress " and the site's home URL, as the WXR import names it, so both
    imports of one site share their keys. total is what WordPress counted when the first
    pages were read; items yields the comments of every status merged, oldest id first, so
    a reply comes after the comment it answers, and mark says how far it has got.
    """

    def __init__(self, api: "_Api", source_name: str, first: dict[str, "_Page"]):
        self.api, self.source_name, self.first = api, source_name, first
        self.total = sum(page.total for page in first.values())
        self.position = 0  # the id of the last comment yielded

    def items(self, after: str | None = None) -> Iterator[Imported | Problem]:
        """Yield the comments of every status past a mark, merged by id, each once.

        Comments get ever higher ids, so every comment up to a mark an earlier run saved
        was read by that run: the pages before it are skipped (found by halving, as the
        API takes no id to start from). The session is closed at the end.
        """
        self.position = int(after.removeprefix(_MARK)) if after else 0
        try:
            streams = [
                _pages(self.api, status, *_start(self.api, status, page, self.position))
                for status, page in self.first.items()
            ]
            merged = heapq.merge(*streams, key=lambda raw: raw["id"])
            for raw in _once(merged, self.position):
                self.position = raw["id"]
                yield _comment(raw)
        finally:
            self.api.session.close()

    def mark(self) -> str:
        """How far items has read: every comment up to this one was yielded."""
        return f"{_MARK}{self.position}"


_MARK = "WordPress comment "


def read(url: str, user: str, password: str) -> Comments:
    """Find a site's REST API from its URL and start reading its comments as that user.

    The first page of every status is read here, so a site that cannot be read at all (no
    WordPress, a wrong password, a user who may not moderate) raises ImportFailure before
    any comment is yielded; the items raise it too if the site stops answering midway.
    """
    api = _Api(url, user, password)
    try:
        home = api.home()
        first = {status: api.page(status, 1) for status in QUERIED}
    except BaseException:
        api.session.close()
        raise
    return Comments(api, f"WordPress {home}", first)


@dataclass(frozen=True)
class _Page:
    """One page of one status: its comments, and WordPress's count of them all."""

    comments: list[dict]
    total: int
    pages: int


class _Api:
    """A WordPress site's REST API, as one user with an application password reads it."""

    def __init__(self, url: str, user: str, password: str):
        self.url, self.user = url, user
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.credentials = (user, password)
        self.root = _advertised_root(self.get(url, authenticated=False), url)

    def home(self) -> str:
        """The site's home URL from the API index, without a trailing slash."""
        index = self.json(self.get(self.root))
        if not isinstance(index, dict) or "wp/v2" not in index.get("namespaces", ()):
            raise ImportFailure(
                f"{self.root} is a REST API without WordPress's comments (no wp/v2 namespace): "
                "give the address of the WordPress site itself"
            )
        if not index.get("home"):
            raise ImportFailure(f"{self.root} does not name the site's home URL (home)")
        return str(index["home"]).rstrip("/")

    def page(self, status: str, number: int) -> _Page:
        """Read one page of the comments that have a status, oldest id first."""
        params = {"context": "edit", "status": status, "orderby": "id", "order": "asc"}
        params.update(per_page=PER_PAGE, page=number)
        response = self.get(self.endpoint("/wp/v2/comments", params))
        comments = self.json(response)
        if not isinstance(comments, list):
            raise ImportFailure(f"{response.url} did not answer with a list of comments")
        return _Page(
            comments,
            total=int(response.headers.get("X-WP-Total", len(comments))),
            pages=int(response.headers.get("X-WP-TotalPages", 1)),
        )

    def endpoint(self, route: str, params: dict) -> str:
        """The URL of a route under the root, in the root's own form (path or ?rest_route=)."""
        parts = urlsplit(self.root)
        query = dict(parse_qsl(parts.query))
        if "rest_route" in query:
            query["rest_route"] = query["rest_route"].rstrip("/") + route
            path = parts.path
        else:
            path = parts.path.rstrip("/") + route
        return urlunsplit(parts._replace(path=path, query=urlencode({**query, **params}, safe="/")))

    def get(self, url: str, authenticated: bool = True) -> requests.Response:
        """GET a URL (with the credentials when it is the API); ImportFailure unless it is 2xx."""
        auth = self.credentials if authenticated else None
        try:
            response = self.session.get(url, auth=auth, timeout=TIMEOUT)
        except requests.Timeout:
            raise ImportFailure(
                f"{url} did not answer within {TIMEOUT[1]} s: try again when the site is less "
                "busy, or check that the address is right"
            ) from None
        except requests.ConnectionError as error:
            raise ImportFailure(
                f"cannot connect to {url}: check the address and that the site is up ({error})"
            ) from None
        except requests.RequestException as error:
            raise ImportFailure(f"cannot read {url}: {error}") from None
        if not response.ok:
            raise _refusal(response, self.user)
        return response

    @staticmethod
    def json(response: requests.Response):
        """The JSON of a response, or ImportFailure when it is something else."""
        try:
            return response.json()
        except ValueError:
            raise ImportFailure(
                f"{response.url} did not answer with JSON: is the site's REST API turned off "
                "by a plugin or the web server?"
            ) from None


def _start(api: _Api, status: str, first: _Page, after: int) -> tuple[int, _Page]:
    """The first page of a status holding a comment with an id above after, and its number.

    Pages hold ids in order, so halving finds it in about log2(pages) requests; a status
    with none above after gives an empty last page.
    """
    if not first.comments or first.comments[-1]["id"] > after:
        return 1, first
    found, low, high = (first.pages, _Page([], first.total, first.pages)), 2, first.pages
    while low <= high:
        middle = (low + high) // 2
        page = api.page(status, middle)
        if page.comments and page.comments[-1]["id"] <= after:
            low = middle + 1
        else:  # past the mark, or past the end of a status that shrank meanwhile
            high = middle - 1
            if page.comments:
                found = middle, page
    return found


def _pages(api: _Api, status: str, number: int, page: _Page) -> Iterator[dict]:
    """Yield the comments of a status, page after page, starting from a page already read."""
    while True:
        yield from page.comments
        # The count can change while the site is read: trust the latest page's.
        if number >= page.pages or not page.comments:
            return
        number += 1
        page = api.page(status, number)


def _once(comments: Iterator[dict], after: int) -> Iterator[dict]:
    """Skip comments up to a mark, and one yielded again (it moved between statuses)."""
    last = after
    for raw in comments:
        if raw["id"] > last:
            last = raw["id"]
            yield raw


def _comment(raw: dict) -> Imported | Problem:
    """Map one comment of WordPress's edit context to an Imported, or a Problem saying why not."""
    where = f"WordPress comment {raw['id']}"
    if raw.get("status") not in VERDICTS:
        return Problem(where, f"status {raw.get('status')!r} is none of {', '.join(VERDICTS)}")
    created_at = _posted(raw)
    if created_at is None:
        return Problem(
            where, f"no date: date_gmt {raw.get('date_gmt')!r}, date {raw.get('date')!r}"
        )
    return Imported(
        source_id=str(raw["id"]),
        post_id=str(raw["post"]),
        content=raw["content"]["raw"],
        # The store refuses, naming `where`, what the API would (no name, no email, ...).
        author_name=raw.get("author_name") or "",
        author_email=raw.get("author_email") or "",
        created_at=created_at,
        status=VERDICTS[raw["status"]],
        author_url=raw.get("author_url") or None,
        user_ip=raw.get("author_ip") or None,
        user_agent=raw.get("author_user_agent") or None,
        parent_source_id=str(raw["parent"]) if raw.get("parent") else None,
        where=where,
    )


def _posted(raw: dict) -> datetime | None:
    """When a comment was posted, in UTC: its GMT date, else its date in the site's time."""
    # Comments that older blogs imported can hold a zero GMT date (served as -0001-11-30):
    # their local date is off by no more than the site's offset from UTC.
    for name in ("date_gmt", "date"):
        try:
            return datetime.fromisoformat(raw.get(name) or "").replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class _RootLink(HTMLParser):
    """The href of a page's <link rel="https://api.w.org/">, WordPress's REST API root."""

    def __init__(self):
        super().__init__()
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Note the first link to the API root."""
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == API_REL and self.href is None:
            self.href = attrs.get("href")


def _advertised_root(response: requests.Response, url: str) -> str:
    """The API root a WordPress page names: in its Link header, else in its HTML."""
    link = response.links.get(API_REL, {}).get("url")
    if link:
        return link
    if "html" in response.headers.get("Content-Type", ""):
        parser = _RootLink()
        parser.feed(response.text)
        if parser.href:
            return parser.href
    raise ImportFailure(
        f"{url} does not look like a WordPress site: it names no REST API "
        f'(no Link header or <link> with rel="{API_REL}"). Give the address of the '
        "site's home page, and check that no plugin turns its REST API off."
    )


# WordPress 6.1 takes a wrong user or application password for no credentials at all: its
# REST server checks for an authentication error before it reads the Authorization header.
ANONYMOUS = (
    "WordPress did not accept user {user} with that application password: check both (the "
    "login name, and the password WordPress showed once under Users > Profile > Application "
    "Passwords, not the login password). If they are right, the web server drops the "
    "Authorization header before WordPress sees it, or the site is not served over HTTPS "
    "(WordPress then turns application passwords off)"
)
FORBIDDEN = (
    "user {user} may not moderate comments on this site: use an application password of an "
    "administrator or editor"
)


def _refusal(response: requests.Response, user: str) -> ImportFailure:
    """An ImportFailure for a response that is not 2xx, saying what to fix where we can."""
    try:
        body = response.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    if code == "rest_forbidden_context":
        advice = (ANONYMOUS if response.status_code == 401 else FORBIDDEN).format(user=user)
    elif code:
        advice = f"WordPress said {code}: {re.sub(r'<[^>]+>', '', str(body.get('message')))}"
    else:
        advice = "is this the address of a WordPress site?"
    return ImportFailure(f"{response.url} answered {response.status_code}: {advice}")
