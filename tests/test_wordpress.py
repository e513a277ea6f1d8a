"""A real WordPress (Debian's, with its Akismet plugin) moderating through Moderato.

Readers post through wp-comments-post.php and the admin clicks in wp-admin, as browsers do;
the must-use plugin sends the Akismet plugin's calls to Moderato under gunicorn. Run with -s
to read each step: what it did, and what WordPress and Moderato then held.
"""

import html
import re
import time
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
import wordpress
from live import commands, gunicorn
from sqlalchemy import orm
from support import bearer

from service.db import create_engine
from service.tables import Comment, ModerationAction

UNAVAILABLE = wordpress.unavailable()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason=str(UNAVAILABLE))
WP_STATUS = {"0": "held for moderation", "1": "approved", "spam": "spam"}


@pytest.fixture
def moderato(tmp_path):
    """Moderato under gunicorn on SQLite; a site, its Akismet key and an admin from the CLI."""
    url = f"sqlite:///{tmp_path / 'moderato.db'}"
    with commands(url) as cli:
        cli("db", "upgrade")
        cli("sites", "create", "blog")
        key = cli("sites", "akismet-key", "blog")
        admin = bearer(cli("moderators", "create", "admin@blog.example", "--admin"))
    engine = create_engine(url)
    with gunicorn({"DATABASE_URL": url}, tmp_path) as server:
        # The blog is moderated in WordPress, as the README tells such a site to say; and its
        # readers, all at 127.0.0.1, may post within 15 s of each other, as in WordPress.
        settings = requests.patch(
            f"{server.base}/api/v1/sites/blog/settings",
            json={"moderated_in": "client", "flood_interval_seconds": 0},
            headers=admin,
            timeout=10,
        )
        assert settings.json()["moderated_in"] == "client", settings.text
        yield server, key, engine, admin
    engine.dispose()


class Journey:
    """Steps against WordPress and Moderato, each printed with what it saw."""

    def __init__(self, wp: wordpress.WordPress, engine: sa.Engine):
        self.wp, self.engine, self.lines = wp, engine, []

    def say(self, line: str) -> None:
        """Print a line of the journey and keep it for assertion messages."""
        print(line)
        self.lines.append(line)

    def post(self, step: str, author: str, email: str, content: str) -> int:
        """A reader posts a comment; say how WordPress filed it and what Moderato stored."""
        comment_id = self.wp.post_comment(author, email, content)
        self.say(
            f'{step}: {author} posts "{content}" -> WordPress comment {comment_id} '
            f"{self.wordpress_says(comment_id)}; Moderato: {self.moderato_says(content)}"
        )
        return comment_id

    def click(self, step: str, comment_id: int, action: str, content: str) -> None:
        """The admin clicks a row action in wp-admin; say what each side holds afterwards."""
        self.wp.click(comment_id, action)
        self.say(
            f"{step}: admin clicks {action!r} on comment {comment_id} -> WordPress "
            f"{self.wordpress_says(comment_id)}; Moderato: {self.moderato_says(content)}"
        )

    def settings_page(self, step: str, moderato: str, key: str) -> tuple[dict, str]:
        """The admin opens Settings > Akismet Anti-Spam; say its statistics and Moderato's."""
        page = self.wp.admin.get(
            f"{self.wp.base}/wp-admin/options-general.php?page=akismet-key-config",
            timeout=wordpress.TIMEOUT,
        ).text
        start = page.index('<div class="akismet-new-snapshot">')
        card = page[start : page.index("<!-- close akismet-new-snapshot", start)]
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())
        frames = [
            urlsplit(html.unescape(src)).hostname for src in re.findall(r'src="([^"]+)"', card)
        ]
        stats = requests.post(
            f"{moderato}/1.1/get-stats", data={"key": key, "from": "all"}, timeout=10
        ).json()
        self.say(
            f"{step}: admin opens Settings > Akismet Anti-Spam -> Moderato's get-stats {stats}"
        )
        self.say(f"   the page shows: {shown} (and a frame from {', '.join(frames)})")
        return stats, shown

    def wordpress_says(self, comment_id: int) -> str:
        """A comment's status in WordPress, and what the Akismet plugin noted on it."""
        status, meta = self.wp.status(comment_id), self.wp.akismet_meta(comment_id)
        return f"{status!r} ({WP_STATUS.get(status, 'unknown')}), Akismet meta {meta}"

    def moderato_says(self, content: str) -> str:
        """What Moderato stored for that content: status, reasons and decisions."""
        found = self.moderato(content)
        if found is None:
            return "no comment stored"
        comment, actions = found
        decisions = (
            ", ".join(f"{a.from_status}->{a.to_status} by {a.via!r}" for a in actions) or "none"
        )
        return (
            f"comment #{comment.id} {comment.status} reasons {comment.reasons} "
            f"score {comment.spam_score and round(comment.spam_score, 2)}, "
            f"moderator decisions: {decisions}"
        )

    def moderato(self, content: str) -> tuple[Comment, list[ModerationAction]] | None:
        """The comment Moderato stored with that content and its decisions, or None."""
        with orm.Session(self.engine) as session:
            rows = session.scalars(sa.select(Comment).where(Comment.content == content)).all()
            assert len(rows) <= 1, f"Moderato stored {len(rows)} copies of {content!r}"
            if not rows:
                return None
            actions = session.scalars(
                sa.select(ModerationAction)
                .where(ModerationAction.comment_id == rows[0].id)
                .order_by(ModerationAction.id)
            ).all()
            return rows[0], list(actions)

    def why(self) -> str:
        """The journey so far, for an assertion message."""
        return "\n".join(self.lines)


def test_wordpress_files_comments_as_moderato_decides_and_reports_the_admins_clicks(
    moderato, tmp_path
):
    server, key, engine, admin = moderato
    started = time.monotonic()
    with wordpress.running(tmp_path / "wordpress", key, server.base) as wp:
        journey = Journey(wp, engine)
        journey.say(
            f"\nWordPress 6.1 + Akismet 5.0.2 at {wp.base} (Akismet key {key}, "
            f"MODERATO_URL {server.base}); setup: "
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in wp.timings.items())
        )

        first = "My uncle has been missing since 2018. Thank you for reporting on this."
        alice = journey.post("1", "Alice Reader", "alice@example.org", first)
        stored = journey.moderato(first)
        assert stored and stored[0].status == "pending", journey.why()
        assert wp.status(alice) == "0", journey.why()  # WordPress: a first-time commenter waits
        queue = requests.get(f"{server.base}/api/v1/queue", headers=admin, timeout=10).json()
        journey.say(f"   Moderato's queue asks its moderators about {len(queue['items'])} comments")
        assert queue["items"] == [], journey.why()  # WordPress's admin decides it

        wp.click(alice, "approve")
        journey.say(
            f"2: admin approves comment {alice} in wp-admin -> WordPress "
            f"{journey.wordpress_says(alice)}; Moderato: {journey.moderato_says(first)}"
        )

        # Quotes: WordPress's live check sends them backslash-escaped, its reports as stored.
        again = 'Back again: my cousin\'s story is the same as the one here, "word for word".'
        returning = journey.post("3", "Alice Reader", "alice@example.org", again)
        assert journey.moderato(again)[0].status == "pending", journey.why()
        assert wp.status(returning) == "1", journey.why()

        pitch = "Cheap pills, best prices, visit my shop today"
        spam = journey.post("4", "akismet-guaranteed-spam", "shop@spam.example", pitch)
        assert journey.moderato(pitch)[0].status == "spam", journey.why()
        assert wp.status(spam) == "spam", journey.why()

        journey.click("5", returning, "spam", again)
        comment, actions = journey.moderato(again)
        assert comment.status == "spam", journey.why()
        assert actions and actions[-1].to_status == "spam", journey.why()
        assert actions[-1].via.startswith("admin via WordPress/"), journey.why()

        journey.click("6", spam, "unspam", pitch)
        comment, actions = journey.moderato(pitch)
        assert comment.status == "approved", journey.why()
        assert actions and actions[-1].from_status == "spam", journey.why()
        assert actions[-1].to_status == "approved", journey.why()

        stats, shown = journey.settings_page("7", server.base, key)
        assert f"All time {stats['spam']} Spam blocked" in shown, journey.why()
        assert f"{stats['missed_spam']} missed spam" in shown, journey.why()
        assert f"{stats['false_positives']} false positive" in shown, journey.why()

        server.stop()
        down = "Posting while the moderation service is down; please keep this one."
        held = journey.post("8 (Moderato stopped)", "Alice Reader", "alice@example.org", down)
        assert wp.status(held) == "0", journey.why()  # a returning reader: WordPress would approve
        assert "akismet_error" in wp.akismet_meta(held), journey.why()
    journey.say(f"the WordPress part (setup, steps, cleanup): {time.monotonic() - started:.1f} s")
