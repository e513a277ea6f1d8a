"""`flask import wordpress` against a real WordPress: its comments of every status, read-only.

One WordPress serves the module (Debian's, on Apache with MariaDB; tests/wordpress.py). Its
admin writes the history through WordPress's own REST API, as a site's years of comments and
moderation left it: approved, held, spam and trashed comments, replies, and one comment
without an email, which WordPress accepts once a site stops asking for it (kept: its verdict
is a label all the same), one whose GMT date
a blog import left empty, and one with no date at all.
"""

import re
import socket
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
import wordpress
from live import free_port
from support import count_comments, training_labels

from bench import fake_wordpress
from service.db import db
from service.imports import ImportFailure, store
from service.imports import wordpress as wordpress_source
from service.imports.wordpress import USER_AGENT
from service.tables import Comment, ModerationAction, Status

UNAVAILABLE = wordpress.unavailable()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason=str(UNAVAILABLE))

# The history, oldest first: a key, the parent's key, and what WordPress keeps of a comment.
HISTORY = [
    ("alice", None, "approved", "Alice Reader", "2019-03-04T05:06:07", "198.51.100.7"),
    ("bob", "alice", "approved", "Bob Neighbour", "2019-03-04T09:00:00", "2001:db8::7"),
    ("pitch", None, "spam", "Cheap Pills", "2020-01-02T03:04:05", "203.0.113.66"),
    ("rude", None, "trash", "Angry Reader", "2021-06-07T08:09:10", "198.51.100.99"),
    ("carol", "rude", "hold", "Carol Reader", "2022-11-12T13:14:15", "198.51.100.12"),
    ("dave", None, "hold", "Dave Reader", "2023-01-01T00:00:01", "198.51.100.13"),
    ("erin", None, "approved", "Erin Oldtimer", "2009-05-06T07:08:09", "198.51.100.14"),
]
# Comments an old blog imported into WordPress can lack a GMT date ('0000-00-00 00:00:00');
# the site's time is UTC here, so their local date is the one to expect.
NO_GMT_DATE = "erin"
VERDICTS = {
    "approved": Status.APPROVED,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REJECTED,
}
PRETTY = "/%postname%/"


def written(key: str, status: str, name: str, date: str, ip: str) -> dict:
    """The fields the admin gives WordPress for one comment of the history."""
    return {
        "author_name": name,
        "author_email": f"{key}@readers.example",
        "author_url": f"https://{key}.example/",
        "author_ip": ip,
        "author_user_agent": f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{len(key)}15.0 ({key})",
        "date_gmt": date,
        "content": f"{name} writes, as WordPress kept it: 'quotes', \"more\" & <em>tags</em>.",
        "status": status,
    }


@dataclass
class Blog:
    """The module's WordPress, its history, and application passwords to read it with."""

    wp: wordpress.WordPress
    ids: dict[str, int]  # the history's keys -> WordPress comment ids
    anonymous: int  # the comment without an email
    dateless: int  # the comment with no date at all
    admin_password: str
    author_password: str  # a user who writes posts but may not moderate comments

    def importable(self) -> set[str]:
        """The WordPress ids an import stores: the history and the comment without an email."""
        return {str(wp_id) for wp_id in [*self.ids.values(), self.anonymous]}


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    """A WordPress with the history written by its admin; removed when the module ends."""
    with wordpress.running(tmp_path_factory.mktemp("wordpress")) as wp:
        wp.rest("DELETE", "/wp/v2/comments/1", force=True)  # the installer's sample comment
        ids = {}
        for key, parent, status, name, date, ip in HISTORY:
            fields = written(key, status, name, date, ip)
            ids[key] = wp.add_comment(**fields, parent=ids.get(parent, 0))["id"]
        # Settings > Discussion: "Comment author must fill out name and email" unticked.
        wp.set_option("require_name_email", "")
        anonymous = wp.add_comment(author_name="Passer-by", content="No address given.")["id"]
        wp.set_option("require_name_email", "1")
        dateless = wp.add_comment(
            **written("frank", "approved", "Frank", "2010-01-01T00:00:00", "192.0.2.1")
        )["id"]
        wp.zero_dates(ids[NO_GMT_DATE], "comment_date_gmt")
        wp.zero_dates(dateless, "comment_date_gmt", "comment_date")
        author = wp.create_user("writer", "author")
        yield Blog(
            wp,
            ids,
            anonymous,
            dateless,
            wp.application_password(),
            wp.application_password(author),
        )


@pytest.fixture(params=["plain", "pretty"])
def permalinks(request, blog) -> str:
    """Serve the blog with plain permalinks or pretty ones; return the API root it names."""
    blog.wp.use_permalinks(PRETTY if request.param == "pretty" else "")
    request.addfinalizer(lambda: blog.wp.use_permalinks(""))
    root = requests.get(blog.wp.base, timeout=wordpress.TIMEOUT).links["https://api.w.org/"]
    assert ("/wp-json/" in root["url"]) == (request.param == "pretty"), root
    return root["url"]


def import_wordpress(runner, url: str, user: str, password: str):
    """Run `flask --app wsgi import wordpress` into the site "news"."""
    args = ["import", "wordpress", url, "--user", user, "--app-password", password]
    return runner.invoke(args=[*args, "--site", "news"])


def imported(app) -> dict[str, tuple[Comment, list[ModerationAction]]]:
    """What Moderato holds, by WordPress comment id: each comment and its history."""
    with app.app_context():
        comments = db.session.scalars(sa.select(Comment)).all()
        actions = db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id))
        history = {comment.id: [] for comment in comments}
        for action in actions:
            history[action.comment_id].append(action)
        return {comment.import_id: (comment, history[comment.id]) for comment in comments}


@pytest.fixture
def news(app, site_key):
    """Moderato with the site "news" to import into."""
    return app


def test_every_status_comes_in_with_its_verdict_and_what_wordpress_kept(
    news, runner, blog, permalinks
):
    result = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)

    assert result.exit_code == 0, result.output
    source = f"WordPress {blog.wp.base}"
    assert f"[import] {source} counts {len(HISTORY) + 2} comments" in result.stderr
    stored = imported(news)
    assert set(stored) == blog.importable()
    by_key = {key: stored[str(blog.ids[key])] for key in blog.ids}
    for key, parent, status, name, date, ip in HISTORY:
        comment, actions = by_key[key]
        fields = written(key, status, name, date, ip)
        assert comment.status == VERDICTS[status], key
        assert comment.created_at == datetime.fromisoformat(date).replace(tzinfo=UTC)
        assert (comment.author_name, comment.author_email) == (name, fields["author_email"])
        assert (comment.author_url, comment.user_ip) == (fields["author_url"], ip)
        assert comment.user_agent == fields["author_user_agent"]
        assert (comment.post_id, comment.content) == ("1", fields["content"])
        assert comment.import_source == source
        assert comment.parent_id == (by_key[parent][0].id if parent else None), key
        decided = [] if status == "hold" else [(Status.PENDING, VERDICTS[status])]
        assert [(a.from_status, a.to_status) for a in actions] == decided, key
        assert {(a.moderator_id, a.via) for a in actions} <= {(None, store.via(source))}
    # Kept without an email, which WordPress no longer asked for (held, as a first comment is).
    passer_by, _ = stored[str(blog.anonymous)]
    assert (passer_by.author_name, passer_by.author_email) == ("Passer-by", "")
    assert passer_by.status == Status.PENDING
    assert f"skipped WordPress comment {blog.dateless}: no date" in result.stderr
    assert result.stderr.count("skipped WordPress comment") == 1
    with news.app_context():
        training = training_labels(db.session.connection())
    assert sorted(item["label"] for item in training) == ["ham"] * 4 + ["spam"]


def test_the_api_is_found_in_the_page_when_a_proxy_drops_the_link_header(news, runner, blog):
    url = f"{blog.wp.base}/?link-header=off"  # the test's Apache drops the header there
    assert "https://api.w.org/" not in requests.get(url, timeout=wordpress.TIMEOUT).links

    result = import_wordpress(runner, url, wordpress.ADMIN, blog.admin_password)

    assert result.exit_code == 0, result.output
    assert set(imported(news)) == blog.importable()


def test_a_second_run_adds_and_changes_nothing(news, runner, blog):
    import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)
    before = {key: (c.id, c.status, c.version, len(a)) for key, (c, a) in imported(news).items()}

    again = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)

    assert again.exit_code == 0, again.output
    assert f"imported 0 comments from WordPress {blog.wp.base}" in again.output
    assert f"{len(HISTORY) + 1:,} were already imported; 1 skipped" in again.output
    after = {key: (c.id, c.status, c.version, len(a)) for key, (c, a) in imported(news).items()}
    assert after == before


def test_the_import_sends_wordpress_nothing_but_reads(news, runner, blog, permalinks):
    earlier = len(blog.wp.requests_logged(USER_AGENT))  # the module's other imports

    result = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)

    assert result.exit_code == 0, result.output
    sent = [line for line, _ in blog.wp.requests_logged(USER_AGENT)[earlier:]]
    # The home page, the API index, and the first page of each of the four statuses.
    assert len(sent) == 6, sent
    assert {line.split()[0] for line in sent} == {"GET"}, sent
    assert all(line.split()[1].startswith(urlsplit(permalinks).path) for line in sent[1:]), sent


def test_every_page_of_every_status_is_read(news, runner, blog, monkeypatch):
    monkeypatch.setattr(wordpress_source, "PER_PAGE", 2)
    earlier = len(blog.wp.requests_logged(USER_AGENT))

    result = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)

    assert result.exit_code == 0, result.output
    assert set(imported(news)) == blog.importable()
    sent = [line for line, _ in blog.wp.requests_logged(USER_AGENT)[earlier:]]
    pages = [line for line in sent if "status=" in line]
    # Approved: alice, bob, erin, frank; held: carol, dave and the passer-by (a first
    # comment waits); spam and trash one each.
    per_status = Counter(re.search(r"status=(\w+)", line)[1] for line in pages)
    assert per_status == {"approve": 2, "hold": 2, "spam": 1, "trash": 1}, pages


def test_an_import_interrupted_midway_resumes_where_it_stopped(news, runner, blog, monkeypatch):
    monkeypatch.setattr(wordpress_source, "PER_PAGE", 2)
    monkeypatch.setattr(store, "BATCH", 3)
    read_page, pages = wordpress_source._Api.page, []

    def dropped_at_the_sixth(api, status: str, number: int):
        pages.append((status, number))
        if len(pages) == 6:
            raise ImportFailure("the connection dropped")
        return read_page(api, status, number)

    monkeypatch.setattr(wordpress_source._Api, "page", dropped_at_the_sixth)
    first = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)
    monkeypatch.setattr(wordpress_source._Api, "page", read_page)

    assert first.exit_code == 1
    assert "are kept: run the same command again to continue" in first.output
    kept = set(imported(news))
    assert kept and kept < blog.importable()
    second = import_wordpress(runner, blog.wp.base, wordpress.ADMIN, blog.admin_password)

    assert second.exit_code == 0, second.output
    assert f"resuming after WordPress comment {max(map(int, kept))}" in second.stderr
    assert f"imported {len(blog.importable() - kept)} comments" in second.output
    stored = imported(news)
    assert set(stored) == blog.importable()
    assert all(len(actions) <= 1 for _, actions in stored.values())
    by_key = {key: stored[str(blog.ids[key])][0] for key in blog.ids}
    for key, parent, *_ in HISTORY:
        assert by_key[key].parent_id == (by_key[parent].id if parent else None), key


@pytest.mark.parametrize(
    ("user", "password", "says"),
    [
        (wordpress.ADMIN, "abcd efgh ijkl mnop qrst uvwx", "did not accept user admin with"),
        ("nobody", None, "did not accept user nobody with that application password"),
        ("writer", None, "user writer may not moderate comments"),
    ],
)
def test_credentials_wordpress_refuses_fail_clearly_and_store_nothing(
    news, runner, blog, user, password, says
):
    password = password or (blog.author_password if user == "writer" else blog.admin_password)

    result = import_wordpress(runner, blog.wp.base, user, password)

    assert result.exit_code != 0
    assert says in result.output and "(nothing was imported)" in result.output
    assert count_comments(news) == 0


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/readme.html", "does not look like a WordPress site"),
        ("/wp-includes/images/w-logo-blue.png", "does not look like a WordPress site"),
        ("/wp-content/no-such-file", "answered 404: is this the address of a WordPress site?"),
    ],
)
def test_an_address_that_is_no_wordpress_site_is_refused_clearly(news, runner, blog, path, says):
    result = import_wordpress(runner, blog.wp.base + path, wordpress.ADMIN, blog.admin_password)

    assert result.exit_code != 0
    assert says in result.output, result.output
    assert count_comments(news) == 0


def test_a_site_that_does_not_answer_is_refused_clearly(news, runner):
    url = f"http://127.0.0.1:{free_port()}/"

    result = import_wordpress(runner, url, wordpress.ADMIN, "abcd efgh ijkl mnop qrst uvwx")

    assert result.exit_code != 0
    assert f"cannot connect to {url}: check the address and that the site is up" in result.output
    assert count_comments(news) == 0


def test_a_site_that_stops_answering_is_refused_clearly(news, runner, monkeypatch):
    monkeypatch.setattr(wordpress_source, "TIMEOUT", (1, 0.5))
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"

        result = import_wordpress(runner, url, wordpress.ADMIN, "abcd efgh ijkl mnop qrst uvwx")

    assert result.exit_code != 0
    assert f"{url} did not answer within 0.5 s" in result.output
    assert count_comments(news) == 0


def shape(value):
    """The keys and types of a JSON value, the first item standing for a list's."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def first_page(base: str, password: str) -> tuple[requests.Response, list[dict]]:
    """The first page of approved comments, read as the import reads them."""
    root = requests.get(base, timeout=wordpress.TIMEOUT).links["https://api.w.org/"]["url"]
    params = {"context": "edit", "status": "approve", "orderby": "id", "order": "asc"}
    response = requests.get(
        f"{root}wp/v2/comments",
        params={**params, "per_page": 100},
        auth=(wordpress.ADMIN, password),
        timeout=wordpress.TIMEOUT,
    )
    return response, response.json()


def test_the_benchs_fake_wordpress_serves_what_wordpress_serves(blog):
    """bench/fake_wordpress.py stands in for this WordPress at 100,000 comments."""
    blog.wp.use_permalinks(PRETTY)  # the fake's API root is /wp-json/, as pretty permalinks give
    try:
        real, real_comments = first_page(blog.wp.base, blog.admin_password)
    finally:
        blog.wp.use_permalinks("")
    with fake_wordpress.serving(40) as fake:
        served, fake_comments = first_page(fake.base, fake_wordpress.PASSWORD)

    def kinds(comments: list[dict]) -> dict[tuple[bool, bool], dict]:
        """A comment of each kind: a reply or not, answered or not."""
        return {(bool(c["parent"]), "children" in c["_links"]): c for c in comments}

    ours, theirs = kinds(fake_comments), kinds(real_comments)
    assert len(theirs) >= 3 and set(theirs) <= set(ours)
    for kind, comment in theirs.items():
        assert shape(ours[kind]) == shape(comment), kind
    for name in ("X-WP-Total", "X-WP-TotalPages"):
        assert served.headers[name].isdigit() and real.headers[name].isdigit(), name
    assert served.headers["Content-Type"] == real.headers["Content-Type"]
