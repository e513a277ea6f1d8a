"""An interrupted WordPress import resumes where it stopped: each comment once, replies attached.

The site is bench/fake_wordpress.py: a real HTTP server on loopback serving comments in the
shape WordPress 6.1 serves them (tests/test_import_wordpress.py compares it with a real one),
with some replies before the comments they answer. Small pages and batches stand for a long
history.
"""

import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import ROOT, SECRET

from bench import fake_wordpress
from bench.fake_wordpress import PASSWORD, USER
from service.db import db
from service.imports import store
from service.imports import wordpress as wordpress_source
from service.tables import Comment, ImportProgress, ModerationAction, Site, Status

PER_PAGE, BATCH = 10, 40


@pytest.fixture(autouse=True)
def small(monkeypatch):
    """Pages of 10 and batches of 40: a few hundred comments make many of each."""
    monkeypatch.setattr(wordpress_source, "PER_PAGE", PER_PAGE)
    monkeypatch.setattr(store, "BATCH", BATCH)


@pytest.fixture
def news(app, site_key):
    """Moderato with the site "news" to import into."""
    return app


def import_wordpress(runner, site: fake_wordpress.FakeWordPress):
    """Run `flask --app wsgi import wordpress` on the fake site, into "news"."""
    args = ["import", "wordpress", site.base, "--user", USER, "--app-password", PASSWORD]
    return runner.invoke(args=[*args, "--site", "news"])


def held(app) -> dict[int, Comment]:
    """The comments Moderato holds, by WordPress id."""
    with app.app_context():
        return {int(c.import_id): c for c in db.session.scalars(sa.select(Comment))}


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def decided(app) -> Counter:
    """How many decisions each comment has, by comment id."""
    with app.app_context():
        return Counter(db.session.scalars(sa.select(ModerationAction.comment_id)))


def marks(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(sa.select(ImportProgress.resume_after)).all()


def assert_each_comment_once_and_threaded(app, site: fake_wordpress.FakeWordPress) -> None:
    """Every comment of the site stored once, each decided one decided once, replies attached."""
    comments = held(app)
    assert sorted(comments) == list(range(1, site.comments.count + 1))
    for n, comment in comments.items():
        parent = site.comments.parent(n)
        assert comment.parent_id == (comments[parent].id if parent else None), n
    decisions = decided(app)
    assert set(decisions.values()) == {1}
    assert {c.id for c in comments.values() if c.status != Status.PENDING} == set(decisions)


def test_a_dropped_connection_keeps_what_was_stored_and_the_rerun_resumes_there(news, runner):
    with fake_wordpress.serving(300) as site:
        site.drop_after_pages = 15  # of 31: the connection drops midway

        first = import_wordpress(runner, site)

        assert first.exit_code == 1
        assert "are kept: run the same command again to continue" in first.output
        mark = int(marks(news)[0].removeprefix("WordPress comment "))
        assert sorted(held(news)) == list(range(1, mark + 1))  # every comment up to the mark
        # Replies across the mark: one waits for its parent, one will find its parent stored.
        parent = site.comments.parent
        assert any(n <= mark < parent(n) for n in held(news))
        assert any(0 < parent(n) <= mark for n in range(mark + 1, site.comments.count + 1))
        site.drop_after_pages, before = None, len(site.pages)

        second = import_wordpress(runner, site)

        assert second.exit_code == 0, second.output
        assert f"resuming after WordPress comment {mark}" in second.stderr
        assert f"imported {300 - mark:,} comments" in second.output
        assert_each_comment_once_and_threaded(news, site)
        assert marks(news) == []
        read_again = site.pages[before:]
    for status in fake_wordpress.QUERIED:
        pages = math.ceil(site.comments.total(fake_wordpress.QUERIED[status]) / PER_PAGE)
        numbers = [number for s, number in read_again if s == status]
        past = {n for n in range(2, pages + 1) if _last_id(site, status, n) > mark}
        # Every page past the mark is read; besides, page 1 and what halving probes.
        assert past <= set(numbers), status
        assert len(numbers) - len(past) <= 1 + math.ceil(math.log2(pages)), (status, numbers)


def _last_id(site: fake_wordpress.FakeWordPress, status: str, number: int) -> int:
    return _page(site, status, number)[-1]


def test_a_rerun_after_a_complete_import_reads_everything_again_and_adds_nothing(news, runner):
    with fake_wordpress.serving(120) as site:
        import_wordpress(runner, site)
        before = {n: (c.id, c.version, c.parent_id) for n, c in held(news).items()}
        first_run = list(site.pages)

        again = import_wordpress(runner, site)

        assert again.exit_code == 0, again.output
        assert "imported 0 comments" in again.output
        assert "120 were already imported; 0 skipped" in again.output
        assert "resum" not in again.output + again.stderr
        assert sorted(site.pages[len(first_run) :]) == sorted(first_run)  # every page, once
        assert {n: (c.id, c.version, c.parent_id) for n, c in held(news).items()} == before
        assert_each_comment_once_and_threaded(news, site)


# One backend: a process of its own starts in seconds; the bench stops one on both at scale.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_import_stopped_by_sigterm_resumes_without_duplicates(news, runner, database_url):
    """The command as deployed, in its own process, stopped the way a supervisor stops it."""
    with fake_wordpress.serving(550) as site:
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "LOG_JSON": "0"}
        command = [Path(sys.executable).parent / "flask", "--app", "wsgi", "import", "wordpress"]
        command += [site.base, "--user", USER, "--app-password", PASSWORD, "--site", "news"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not stored(news) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == -signal.SIGTERM
        stopped = stored(news)
        assert 0 < stopped < 550 and stopped % 500 == 0  # whole batches of the default 500

        result = import_wordpress(runner, site)

        assert result.exit_code == 0, result.output
        assert f"imported {550 - stopped:,} comments" in result.output
        assert_each_comment_once_and_threaded(news, site)


def test_the_reader_holds_no_more_than_a_page_per_status_beyond_what_is_stored(news):
    """Memory does not grow with the site: WordPress is read as fast as batches are stored."""
    with fake_wordpress.serving(200) as site, news.app_context():
        comments = wordpress_source.read(site.base, USER, PASSWORD)
        ahead = []

        def fetched() -> int:
            return sum(len(_page(site, status, number)) for status, number in site.pages)

        def stored_batch(report: store.Report) -> None:
            ahead.append(fetched() - report.read)

        site_row = db.session.scalar(sa.select(Site).where(Site.name == "news"))
        store.run(site_row, comments.source_name, comments.items(), print, stored_batch)

    assert len(ahead) == 5 and max(ahead) <= len(fake_wordpress.QUERIED) * PER_PAGE, ahead


def _page(site: fake_wordpress.FakeWordPress, status: str, number: int) -> list[int]:
    return site.comments.ids(fake_wordpress.QUERIED[status], (number - 1) * PER_PAGE, PER_PAGE)


def test_a_wrong_password_stores_nothing_and_leaves_no_mark(news, runner):
    with fake_wordpress.serving(50) as site:
        args = ["import", "wordpress", site.base, "--user", USER, "--app-password", "wrong"]
        result = runner.invoke(args=[*args, "--site", "news"])

    assert result.exit_code == 1
    assert "did not accept user admin" in result.output
    assert "(nothing was imported)" in result.output
    assert held(news) == {} and marks(news) == []
