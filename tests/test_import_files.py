"""Importing history from files: WordPress's export, Disqus's export, the project's CSV.

The fixtures are in the formats those systems write (tests/data/import/README.md says how
each was made); a broken or hostile variant is made from them here, so each test shows the
one thing it changes. The last test exports a real WordPress (tests/wordpress.py) and imports
it from the file and over the REST API, as one history.
"""

import re
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import wordpress
from flask import Flask

from service.db import db
from service.imports import Imported, ImportFailure, Problem, csvfile, disqus, store, wxr
from service.tables import Comment, ModerationAction, Status

DATA = Path(__file__).parent / "data" / "import"
WXR = DATA / "wordpress-6.1.xml"
DISQUS = DATA / "disqus.xml"
HISTORY = DATA / "history.csv"
LABELLED = DATA / "labelled.csv"
SITE = "WordPress http://127.0.0.1:39291"


def variant(tmp_path: Path, original: Path, *edits: tuple[str, str], name: str = "") -> Path:
    """A copy of a fixture with each (old, new) edit made once; old must be in it."""
    text = original.read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} is not once in {original.name}"
        text = text.replace(old, new)
    path = tmp_path / (name or original.name)
    path.write_text(text)
    return path


def line_of(path: Path, text: str) -> int:
    """The line of a file on which a text first appears."""
    return path.read_text().split(text)[0].count("\n") + 1


def comment_line(path: Path, comment_id: int) -> int:
    """The line of the <wp:comment> element of a WordPress comment id."""
    return line_of(path, f"<wp:comment_id>{comment_id}</wp:comment_id>") - 1


def post_line(path: Path, dsq_id: int) -> int:
    """The line of a Disqus <post> element."""
    return line_of(path, f'<post dsq:id="{dsq_id}">')


def read_all(read, path: Path) -> tuple[str, list[Imported], list[Problem]]:
    """Read a file through a source: its name, its comments and its problems."""
    source, items = read(path)
    items = list(items)
    return (
        source,
        [item for item in items if isinstance(item, Imported)],
        [item for item in items if isinstance(item, Problem)],
    )


@pytest.fixture
def app_context(clock):
    """An app's context, for the clock that dates a CSV row without a date."""
    app = Flask(__name__)
    app.config["CLOCK"] = clock
    with app.app_context():
        yield


# WordPress's export (WXR).


def test_a_wordpress_export_yields_each_readers_comment_with_its_verdict():
    source, comments = wxr.read(WXR)
    imported = list(comments)

    assert source == SITE  # the site's home URL, as the REST import names it
    assert [(c.source_id, c.status, c.parent_source_id) for c in imported] == [
        ("1", Status.APPROVED, None),
        ("2", Status.APPROVED, None),
        ("3", Status.APPROVED, "2"),
        ("4", Status.PENDING, None),
        ("6", Status.REJECTED, None),  # trash
    ]
    assert comments.skipped == {"pingback": 1} and comments.spam == 0
    first, reader, _, held, trashed = imported
    assert reader == Imported(
        source_id="2",
        post_id="1",
        content="My uncle has been missing since 2018. Thank you for reporting on this — "
        "please keep following the story.",
        author_name="Aigerim Sadykova",
        author_email="aigerim@example.kz",
        created_at=datetime(2022, 11, 3, 10, 15, tzinfo=UTC),
        status=Status.APPROVED,
        author_url="https://example.kz/blog",
        user_ip="203.0.113.7",
        where=f"wordpress-6.1.xml line {comment_line(WXR, 2)}, comment 2",
    )
    assert first.user_ip is None and held.user_ip == "2001:db8::5"
    # "]]>" in a comment is split across two CDATA sections by the exporter.
    assert trashed.content == "You people are idiots and this site is fake news ]]> really"


@pytest.mark.parametrize(
    ("approved", "status"),
    [
        ("1", Status.APPROVED),
        ("0", Status.PENDING),
        ("spam", Status.SPAM),
        ("trash", Status.REJECTED),
    ],
)
def test_each_wordpress_verdict_becomes_a_status(tmp_path, approved, status):
    path = variant(tmp_path, WXR, ("[CDATA[trash]]", f"[CDATA[{approved}]]"))
    _, comments = wxr.read(path)
    by_id = {c.source_id: c for c in comments}
    assert by_id["6"].status == status
    assert comments.spam == (status == Status.SPAM)


def test_a_wordpress_comment_that_cannot_be_imported_is_a_problem_at_its_line(tmp_path):
    path = variant(
        tmp_path,
        WXR,
        ("[CDATA[trash]]", "[CDATA[post-trashed]]"),
        (
            "[CDATA[2022-11-04 08:30:00]]></wp:comment_date>",
            "[CDATA[0000-00-00 00:00:00]]></wp:comment_date>",
        ),
        (
            "[CDATA[2022-11-04 08:30:00]]></wp:comment_date_gmt>",
            "[CDATA[0000-00-00 00:00:00]]></wp:comment_date_gmt>",
        ),
        ("<wp:comment_id>3</wp:comment_id>", "<wp:comment_id></wp:comment_id>"),
    )
    _, imported, problems = read_all(wxr.read, path)

    assert [c.source_id for c in imported] == ["1", "2"]
    assert problems == [
        Problem(
            f"wordpress-6.1.xml line {line_of(path, '<wp:comment_id></') - 1}", "no wp:comment_id"
        ),
        Problem(
            f"wordpress-6.1.xml line {comment_line(path, 4)}, comment 4",
            "no date: comment_date_gmt '0000-00-00 00:00:00', comment_date '0000-00-00 00:00:00'",
        ),
        Problem(
            f"wordpress-6.1.xml line {comment_line(path, 6)}, comment 6",
            "comment_approved 'post-trashed' is not 1, 0, spam or trash",
        ),
    ]


def test_a_wordpress_comment_without_a_gmt_date_keeps_its_local_one(tmp_path):
    """Comments an older blog imported into WordPress can have a zero GMT date."""
    path = variant(
        tmp_path,
        WXR,
        (
            "[CDATA[2022-11-04 08:30:00]]></wp:comment_date>",
            "[CDATA[2022-11-04 14:30:00]]></wp:comment_date>",
        ),
        (
            "[CDATA[2022-11-04 08:30:00]]></wp:comment_date_gmt>",
            "[CDATA[0000-00-00 00:00:00]]></wp:comment_date_gmt>",
        ),
    )
    by_id = {c.source_id: c for c in wxr.read(path)[1]}
    assert by_id["4"].created_at == datetime(2022, 11, 4, 14, 30, tzinfo=UTC)


def test_an_export_of_an_older_wordpress_reads_the_same(tmp_path):
    """WXR 1.1 (WordPress 3.1 to 3.3) differs from 1.2 only in its namespace."""
    path = tmp_path / "older.xml"
    path.write_text(
        WXR.read_text().replace("wordpress.org/export/1.2/", "wordpress.org/export/1.1/")
    )
    assert [(c.source_id, c.status) for c in wxr.read(path)[1]] == [
        (c.source_id, c.status) for c in wxr.read(WXR)[1]
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<?xml version="1.0"?>\n<html><body>Not found</body></html>\n', "not a WordPress export"),
        (
            '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Blog</title>'
            "<link>https://blog.example</link><item><title>A post</title></item></channel></rss>",
            "an RSS feed, not a WordPress export",
        ),
        ("id,content\n1,hello\n", "line 1: not well-formed XML (syntax error)"),
        ("", "line 1: not well-formed XML (no element found)"),
    ],
)
def test_a_file_that_is_no_wordpress_export_fails_before_anything_is_read(tmp_path, text, message):
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(ImportFailure, match=re.escape(message)):
        wxr.read(path)


def test_a_wordpress_export_broken_midway_fails_naming_the_line(tmp_path):
    path = large_export(tmp_path, 3000)
    text = path.read_text()
    path.write_text(text.replace(">2900</wp:comment_id>", ">2900</wp:comment_idd>"))
    _, comments = wxr.read(path)
    items = iter(comments)

    assert next(items).source_id == "1"  # what comes before the fault is read
    with pytest.raises(ImportFailure) as failure:
        list(items)
    line = line_of(path, "</wp:comment_idd>")
    assert str(failure.value) == f"large.xml line {line}: not well-formed XML (mismatched tag)"


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<link>&lol3;</link></channel></rss>
"""
OUTSIDE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><link>&secret;</link></channel></rss>
"""


@pytest.mark.parametrize("text", [LAUGHS, OUTSIDE], ids=["entity expansion", "external entity"])
def test_a_file_declaring_entities_is_refused_unread(tmp_path, text):
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(ImportFailure, match="declares a DTD, which no export holds; refused"):
        wxr.read(path)


def large_export(tmp_path: Path, count: int) -> Path:
    """The fixture with its first post holding `count` more comments of 2 kB, ids from 10."""
    text = WXR.read_text()
    first = text.index("\t\t\t\t\t<wp:comment>")
    reader = text[first:].split("</wp:comment>")[1] + "</wp:comment>"  # comment 2
    body = "Thank you for reporting on this. " * 60
    many = "".join(
        reader.replace(">2</wp:comment_id>", f">{n}</wp:comment_id>").replace(
            "My uncle has been", f"{body} ({n}) My uncle has been"
        )
        for n in range(10, 10 + count)
    )
    end = text.index("\t\t\t\t\t</item>")
    path = tmp_path / "large.xml"
    path.write_text(text[:end] + many + text[end:])
    return path


def test_a_large_export_is_read_in_little_memory(tmp_path):
    """One post with 3,000 long comments (6 MB): memory holds one comment at a time."""
    path = large_export(tmp_path, 3000)
    tracemalloc.start()
    try:
        _, comments = wxr.read(path)
        count = sum(1 for _ in comments)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 5 + 3000
    assert path.stat().st_size > 6_000_000 and peak < 1_000_000


def test_a_record_of_countless_elements_is_read_in_little_memory(tmp_path):
    """A hostile comment of 50,000 empty elements: past a thousand, they are dropped."""
    text = WXR.read_text()
    mark = "<wp:comment_parent>0</wp:comment_parent>"
    at = text.index(mark, text.index("<wp:comment_id>2<")) + len(mark)
    path = tmp_path / "hostile.xml"
    path.write_text(text[:at] + "<x/>" * 50_000 + text[at:])

    tracemalloc.start()
    try:
        _, comments = wxr.read(path)
        imported = list(comments)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [c.source_id for c in imported] == ["1", "2", "3", "4", "6"]
    assert peak < 2_000_000


# Disqus's export.


def test_a_disqus_export_yields_each_post_with_its_verdict_and_page():
    source, posts = disqus.read(DISQUS)
    imported = list(posts)

    assert source == "Disqus newsroom-example"
    page = "https://news.example/2022/11/relatives-of-missing-kazakhs-fall-silent/"
    assert [(p.source_id, p.post_id, p.status, p.parent_source_id) for p in imported] == [
        ("6011000001", page, Status.APPROVED, None),
        ("6011000002", page, Status.APPROVED, "6011000001"),
        ("6011000003", page, Status.SPAM, None),
        ("6011000004", page, Status.REJECTED, None),  # deleted
        ("6011000005", "council-budget-2023", Status.SPAM, None),  # spam and deleted
        ("6011000006", "council-budget-2023", Status.APPROVED, None),  # a thread with no link
    ]
    assert imported[0] == Imported(
        source_id="6011000001",
        post_id=page,
        content="<p>My uncle has been missing since 2018. Thank you for reporting on this.</p>",
        author_name="Aigerim Sadykova",
        author_email="aigerim@example.kz",
        created_at=datetime(2022, 11, 3, 10, 15, 41, tzinfo=UTC),
        status=Status.APPROVED,
        user_ip="203.0.113.7",
        where=f"disqus.xml line {post_line(DISQUS, 6011000001)}, post 6011000001",
    )


def test_a_disqus_post_that_cannot_be_imported_is_a_problem_at_its_line(tmp_path):
    path = variant(
        tmp_path,
        DISQUS,
        ('<post dsq:id="6011000002">', "<post>"),
        (
            "<isSpam>true</isSpam>\n        <author>\n            <email>recovery",
            "<isSpam>yes</isSpam>\n        <author>\n            <email>recovery",
        ),
        ("<createdAt>2022-11-05T09:00:00Z</createdAt>", "<createdAt>5 Nov 2022</createdAt>"),
        (
            '<thread dsq:id="7650119876" />\n    </post>\n\n    <post dsq:id="6011000006">',
            '<thread dsq:id="404" />\n    </post>\n\n    <post dsq:id="6011000006">',
        ),
    )
    _, imported, problems = read_all(disqus.read, path)

    assert [p.source_id for p in imported] == ["6011000001", "6011000006"]

    def at(post: int) -> str:
        return f"disqus.xml line {post_line(path, post)}, post {post}"

    assert problems == [
        Problem(f"disqus.xml line {line_of(path, '<post>')}", "no dsq:id"),
        Problem(at(6011000003), "isSpam 'yes' is neither true nor false"),
        Problem(at(6011000004), "createdAt '5 Nov 2022' is not a date and time (ISO 8601)"),
        Problem(at(6011000005), "its thread '404' is not declared before it"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (WXR.read_text(), "export.xml: not a Disqus export (its root is <rss>)"),
        (
            '<?xml version="1.0"?><disqus xmlns="http://disqus.com"><post><message>hi</message>'
            "</post></disqus>",
            "export.xml: names no forum (no <forum> before its first post)",
        ),
    ],
)
def test_a_file_that_is_no_disqus_export_fails_before_anything_is_read(tmp_path, text, message):
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(ImportFailure, match=re.escape(message)):
        disqus.read(path)


# The project's CSV.


def test_a_csv_with_ids_dates_and_statuses_yields_each_row_as_it_says(app_context):
    source, rows = csvfile.read(HISTORY)
    imported = list(rows)

    assert source == "CSV"
    assert [(r.source_id, r.status, r.created_at) for r in imported] == [
        ("c-101", Status.APPROVED, datetime(2022, 11, 3, 10, 15, 41, tzinfo=UTC)),
        ("c-102", Status.APPROVED, datetime(2022, 11, 3, 11, 2, 9, tzinfo=UTC)),  # naive: UTC
        ("c-103", Status.PENDING, datetime(2022, 11, 4, 2, 30, tzinfo=UTC)),  # +06:00
        ("c-104", Status.SPAM, datetime(2022, 11, 5, 2, 0, 17, tzinfo=UTC)),
        ("c-105", Status.REJECTED, datetime(2022, 11, 5, 9, tzinfo=UTC)),
        ("c-106", Status.SPAM, datetime(2022, 12, 1, 8, 12, 44, tzinfo=UTC)),  # no status: label
    ]
    assert imported[0].where == "history.csv line 2, id c-101"
    assert imported[0].author_url == "https://example.kz/blog" and imported[1].author_url is None


def test_a_csv_of_the_projects_columns_alone_is_keyed_by_what_each_row_says(app_context, clock):
    _, rows = csvfile.read(LABELLED)
    imported = list(rows)

    assert [(r.status, r.post_id) for r in imported] == [
        (Status.APPROVED, "relatives-of-missing-kazakhs"),
        (Status.SPAM, "relatives-of-missing-kazakhs"),
        (Status.APPROVED, "council-budget-2023"),
        (Status.SPAM, "council-budget-2023"),
    ]
    assert {r.created_at for r in imported} == {clock.now}  # undated: the import's time
    assert (
        imported[2].content
        == "Will the bus routes change too?\nThe budget page says nothing about line 12."
    )
    assert [r.where for r in imported] == [f"labelled.csv line {n}" for n in (2, 3, 4, 6)]
    ids = [r.source_id for r in imported]
    assert len(set(ids)) == 4 and all(i.startswith("sha256:") and len(i) == 71 for i in ids)


def test_a_rows_key_survives_a_new_label_and_changes_with_its_words(tmp_path, app_context):
    relabelled = variant(tmp_path, LABELLED, (",spam,Crypto", ",ham,Crypto"), name="relabelled.csv")
    reworded = variant(tmp_path, LABELLED, ("today!!!", "today!!"), name="reworded.csv")

    def ids(path: Path) -> list[str]:
        return [row.source_id for row in csvfile.read(path)[1]]

    assert ids(relabelled) == ids(LABELLED)
    assert ids(reworded)[1] != ids(LABELLED)[1] and ids(reworded)[0] == ids(LABELLED)[0]


def test_a_csv_row_that_cannot_be_imported_is_a_problem_at_its_line(tmp_path, app_context):
    path = variant(
        tmp_path,
        HISTORY,
        ("c-102,2022-11-03 11:02:09,approved", "c-102,yesterday,approved"),
        ("c-103,2022-11-04T08:30:00+06:00,pending", "c-103,2022-11-04T08:30:00+06:00,held"),
        (",spam,Crypto Recovery", ",junk,Crypto Recovery"),
        ("c-104,2022-11-05T02:00:17Z,spam", "c-104,2022-11-05T02:00:17Z,"),
        (",Troll,troll@example.com,,", ",Troll,troll@example.com,"),
        ("c-106,", f"{'x' * 101},"),
    )
    _, imported, problems = read_all(csvfile.read, path)

    assert [r.source_id for r in imported] == ["c-101"]
    assert problems == [
        Problem(
            "history.csv line 3, id c-102",
            "created_at 'yesterday' is not a date and time (ISO 8601)",
        ),
        Problem(
            "history.csv line 4, id c-103",
            "status 'held' is not pending, approved, rejected or spam",
        ),
        Problem("history.csv line 5, id c-104", "label 'junk' is not spam, ham, 1 or 0"),
        Problem("history.csv line 6", "8 fields where the header names 9"),
        Problem("history.csv line 7", "id is longer than 100 characters"),
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "content,label",
            "the header must name each of content, author_name, author_email, post_id once",
        ),
        ("content,label,author_name,author_email,post_id,stauts", "unknown: stauts"),
        ("content,author_name,author_email,post_id", "no verdict column (status or label)"),
        ("content,label,author_name,author_email,post_id,post_id", "must name each of"),
        ("", "empty, not even a header row"),
    ],
)
def test_a_csv_without_the_projects_columns_fails_before_anything_is_read(
    tmp_path, header, message
):
    path = tmp_path / "comments.csv"
    path.write_text(f"{header}\n" if header else "")
    with pytest.raises(ImportFailure, match=re.escape(message)):
        csvfile.read(path)


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (
            b'"unclosed quote,ham,A,a@b.example,1\n',
            "comments.csv line 3: malformed CSV (unexpected end of data)",
        ),
        (
            b"caf\xe9,ham,A,a@b.example,1\n",
            "comments.csv line 3: not UTF-8 (invalid continuation byte)",
        ),
    ],
)
def test_a_csv_broken_midway_fails_naming_the_line(tmp_path, app_context, tail, message):
    path = tmp_path / "comments.csv"
    path.write_bytes(
        b"content,label,author_name,author_email,post_id\nfine,ham,A,a@b.example,1\n" + tail
    )
    _, rows = csvfile.read(path)
    with pytest.raises(ImportFailure, match=re.escape(message)):
        list(rows)


# Through the command line, into the database.


def import_file(runner, kind: str, path: Path):
    """Run `flask import KIND PATH --site news`."""
    return runner.invoke(args=["import", kind, str(path), "--site", "news"])


def stored(app) -> dict[str, Comment]:
    """The imported comments by their id in their source."""
    with app.app_context():
        return {c.import_id: c for c in db.session.scalars(sa.select(Comment))}


def decisions(app) -> list[ModerationAction]:
    """Every decision recorded, oldest first."""
    with app.app_context():
        return db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id)).all()


@pytest.fixture
def app(app, site_key):
    """An app with a site named "news" to import into."""
    return app


def test_importing_a_wordpress_export_keeps_each_verdict_and_says_it_holds_no_spam(app, runner):
    result = import_file(runner, "wxr", WXR)

    assert result.exit_code == 0, result.output
    assert (
        f"imported 5 comments from {SITE} into 'news': 1 pending, 3 approved, 1 rejected, 0 spam"
        in result.output
    )
    assert "not readers' comments, so not imported: 1 pingback" in result.output
    assert "this file holds no spam: WordPress's exporter leaves spam out" in result.output
    assert "flask --app wsgi import wordpress URL" in result.output
    comments = stored(app)
    assert {key: c.status for key, c in comments.items()} == {
        "1": Status.APPROVED,
        "2": Status.APPROVED,
        "3": Status.APPROVED,
        "4": Status.PENDING,
        "6": Status.REJECTED,
    }
    assert comments["3"].parent_id == comments["2"].id
    assert {c.import_source for c in comments.values()} == {SITE}
    assert comments["2"].created_at == datetime(2022, 11, 3, 10, 15, tzinfo=UTC)
    assert [(a.to_status, a.via, a.moderator_id) for a in decisions(app)] == [
        (status, f"import of {SITE}", None)
        for status in (Status.APPROVED, Status.APPROVED, Status.APPROVED, Status.REJECTED)
    ]


def test_a_wordpress_export_with_spam_imports_it_without_the_warning(app, runner, tmp_path):
    result = import_file(runner, "wxr", variant(tmp_path, WXR, ("[CDATA[trash]]", "[CDATA[spam]]")))

    assert result.exit_code == 0, result.output
    assert "1 spam" in result.output and "holds no spam" not in result.output
    assert stored(app)["6"].status == Status.SPAM


def test_importing_a_disqus_export_keeps_each_verdict_and_thread(app, runner):
    result = import_file(runner, "disqus", DISQUS)

    assert result.exit_code == 0, result.output
    assert (
        "imported 6 comments from Disqus newsroom-example into 'news': "
        "0 pending, 3 approved, 1 rejected, 2 spam"
    ) in result.output
    comments = stored(app)
    assert {key[-1]: c.status for key, c in comments.items()} == {
        "1": Status.APPROVED,
        "2": Status.APPROVED,
        "3": Status.SPAM,
        "4": Status.REJECTED,
        "5": Status.SPAM,
        "6": Status.APPROVED,
    }
    assert comments["6011000002"].parent_id == comments["6011000001"].id
    assert comments["6011000006"].post_id == "council-budget-2023"
    assert len(decisions(app)) == 6


@pytest.mark.parametrize("path", [HISTORY, LABELLED], ids=["history", "labelled"])
def test_importing_the_projects_csv_keeps_each_verdict(app, runner, path):
    result = import_file(runner, "csv", path)

    assert result.exit_code == 0, result.output
    statuses = sorted(c.status for c in stored(app).values())
    expected = {
        HISTORY: [
            Status.PENDING,
            Status.APPROVED,
            Status.APPROVED,
            Status.REJECTED,
            Status.SPAM,
            Status.SPAM,
        ],
        LABELLED: [Status.APPROVED, Status.APPROVED, Status.SPAM, Status.SPAM],
    }[path]
    assert statuses == sorted(expected)


@pytest.mark.parametrize(
    ("kind", "path"),
    [("wxr", WXR), ("disqus", DISQUS), ("csv", HISTORY), ("csv", LABELLED)],
    ids=["wxr", "disqus", "csv", "csv without ids"],
)
def test_a_second_import_of_a_file_adds_and_changes_nothing(app, runner, clock, kind, path):
    first = import_file(runner, kind, path)
    before = {
        key: (c.id, c.status, c.version, c.parent_id, c.created_at)
        for key, c in stored(app).items()
    }
    clock.advance(days=1)

    second = import_file(runner, kind, path)

    assert first.exit_code == second.exit_code == 0, second.output
    assert "imported 0 comments" in second.output
    assert f"{len(before)} were already imported; 0 skipped" in second.output
    after = {
        key: (c.id, c.status, c.version, c.parent_id, c.created_at)
        for key, c in stored(app).items()
    }
    assert after == before
    assert len(decisions(app)) == sum(status != Status.PENDING for _, status, *_ in before.values())


def test_a_file_with_bad_records_stores_the_rest_and_names_each_by_its_line(app, runner, tmp_path):
    path = variant(
        tmp_path,
        WXR,
        ("[CDATA[trash]]", "[CDATA[post-trashed]]"),
        ("[CDATA[held@example.net]]", "[CDATA[held at example.net]]"),
    )
    result = import_file(runner, "wxr", path)

    assert result.exit_code == 0, result.output
    assert (
        f"skipped wordpress-6.1.xml line {comment_line(path, 4)}, comment 4: author_email: "
        "Not a valid email address"
    ) in result.output
    assert (
        f"skipped wordpress-6.1.xml line {comment_line(path, 6)}, comment 6: "
        "comment_approved 'post-trashed' is not 1, 0, spam or trash"
    ) in result.output
    assert "0 were already imported; 2 skipped (listed above)" in result.output
    assert sorted(stored(app)) == ["1", "2", "3"]


def test_a_disqus_post_without_an_email_is_kept_for_its_verdict(app, runner, tmp_path):
    """Disqus leaves authors' emails out of its recent exports; the verdict still teaches.

    A submission must carry an email; a record of the past cannot be asked for one.
    """
    path = variant(tmp_path, DISQUS, ("<email>dana@example.org</email>", "<email />"))
    result = import_file(runner, "disqus", path)

    assert result.exit_code == 0, result.output
    assert "skipped disqus.xml" not in result.output
    assert len(stored(app)) == 6
    with app.app_context():
        dana = db.session.scalar(sa.select(Comment).where(Comment.import_id == "6011000002"))
    assert dana.author_email == ""


def test_a_file_broken_midway_keeps_the_batches_before_and_says_where(
    app, runner, tmp_path, monkeypatch
):
    monkeypatch.setattr(store, "BATCH", 10)  # several batches are written before the fault
    path = large_export(tmp_path, 60)
    whole = path.read_text()
    path.write_text(whole.replace(">60</wp:comment_id>", ">60</wp:comment_idd>"))

    result = import_file(runner, "wxr", path)

    assert result.exit_code == 1
    line = line_of(path, "</wp:comment_idd>")
    assert (
        f"Error: large.xml line {line}: not well-formed XML (mismatched tag) (the 40 comments "
        "stored before it are kept: run the same command again to continue)"
    ) in result.output
    # The parser meets the fault while the fifth batch is read: that batch is rolled back.
    assert len(stored(app)) == 40
    path.write_text(whole)  # mended
    again = import_file(runner, "wxr", path)
    assert again.exit_code == 0, again.output
    assert "40 were already imported" in again.output
    assert len(stored(app)) == 65  # the 60 and the fixture's own five readers' comments
    decided = [c for c in stored(app).values() if c.status != Status.PENDING]
    assert sorted(d.comment_id for d in decisions(app)) == sorted(c.id for c in decided)


def test_a_csv_broken_midway_keeps_the_rows_before(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BATCH", 2)
    path = tmp_path / "comments.csv"
    path.write_bytes(HISTORY.read_bytes() + b'c-107,,spam,"unclosed,spam,A,a@b.example,,p\n')

    result = import_file(runner, "csv", path)

    assert result.exit_code == 1
    assert "Error: comments.csv line 8: malformed CSV" in result.output
    assert "are kept: run the same command again to continue" in result.output
    assert len(stored(app)) == 6  # three batches of two, before line 8


@pytest.mark.parametrize(
    ("kind", "path", "message"),
    [
        ("disqus", WXR, "wordpress-6.1.xml: not a Disqus export (its root is <rss>)"),
        (
            "wxr",
            DISQUS,
            "disqus.xml: not a WordPress export (its root is <{http://disqus.com}disqus>)",
        ),
        ("csv", DISQUS, "disqus.xml line 1: the header must name each of"),
    ],
)
def test_a_file_of_another_format_is_refused_clearly(app, runner, kind, path, message):
    result = import_file(runner, kind, path)

    assert result.exit_code == 1
    assert f"Error: {message}" in result.output and "(nothing was imported)" in result.output
    assert stored(app) == {}


# One real WordPress, imported from its export file and then over its REST API.


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A real WordPress's comments of every status, its export file and an app password."""
    reason = wordpress.unavailable()
    if reason is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("wordpress")
    with wordpress.running(folder / "server") as wp:
        ids = {}
        for status in ("approved", "hold", "spam", "trash"):
            ids[status] = wp.add_comment(
                author_name=f"Reader {status}",
                author_email=f"{status}@readers.example",
                content=f"A comment WordPress keeps as {status}.",
                status=status,
            )["id"]
        answer = wp.admin.get(
            f"{wp.base}/wp-admin/export.php?download=true&content=all", timeout=wordpress.TIMEOUT
        )
        assert answer.ok and answer.content.startswith(b"<?xml"), answer.text[:500]
        path = folder / "export.xml"
        path.write_bytes(answer.content)
        yield wp, ids, path, wp.application_password()


def test_a_sites_export_and_its_rest_api_import_as_one_history(app, runner, exported):
    """The export file's comments are keyed as the REST import keys them: only spam is new."""
    wp, ids, path, password = exported
    from_file = import_file(runner, "wxr", path)
    assert from_file.exit_code == 0, from_file.output
    assert "this file holds no spam" in from_file.output
    before = {key: (c.id, c.status, c.version) for key, c in stored(app).items()}
    assert set(before) == {"1", str(ids["approved"]), str(ids["hold"]), str(ids["trash"])}

    args = ["import", "wordpress", wp.base, "--user", wordpress.ADMIN, "--app-password", password]
    from_site = runner.invoke(args=[*args, "--site", "news"])

    assert from_site.exit_code == 0, from_site.output
    assert f"imported 1 comments from WordPress {wp.base}" in from_site.output
    assert "4 were already imported" in from_site.output
    after = stored(app)
    assert {key: (c.id, c.status, c.version) for key, c in after.items() if key in before} == before
    assert after[str(ids["spam"])].status == Status.SPAM
