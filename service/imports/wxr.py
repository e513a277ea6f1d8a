"""WordPress's export file (WXR, Tools > Export): the comments of every post and their verdicts.

The format is what wp-admin/includes/export.php writes (WXR 1.2; 1.0 and 1.1 differ only in
the namespace): an RSS channel whose <link> is the site's home URL, one <item> per post with
its <wp:post_id> before its <wp:comment> elements. Each comment carries its id, author, email,
website, IP, GMT date, content, verdict (comment_approved) and parent; no user agent.

The exporter leaves spam out (its query asks for comment_approved <> 'spam'), so a file it
wrote teaches nothing about the site's spam: `Comments.spam` says how many a file held, and
the command points to the REST import, which reads spam too. Comments are keyed by their
WordPress id under "WordPress <home URL>", the name the REST import uses, so importing a
site both ways stores each comment once.
"""

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..tables import Status
from . import Imported, ImportFailure, Problem, fields, xmlstream

PREFIXES = {f"http://wordpress.org/export/1.{minor}/": "wp" for minor in (0, 1, 2)}
CONTAINERS = frozenset({"channel", "item"})
# comment_approved as WordPress stores it. "post-trashed" (the comment of a post in the
# trash, its own verdict kept elsewhere) is none of them: such a comment is reported.
STATUSES = {
    "1": Status.APPROVED,
    "0": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REJECTED,
}
# Readers' comments; pingbacks, trackbacks and plugins' types (order notes...) are skipped.
READERS = ("", "comment")


class Comments:
    """A file's comments, read as they are iterated, with what was skipped and how much spam."""

    def __init__(self, path: Path, elements: Iterator[xmlstream.Element]):
        self.path, self.elements = path, elements
        self.spam = 0
        self.skipped: Counter[str] = Counter()  # by comment type

    def __iter__(self) -> Iterator[Imported | Problem]:
        post_id = ""
        for element in self.elements:
            if element.tag == "item":
                post_id = ""
            elif element.within == "item" and element.tag == "wp:post_id":
                post_id = element.text
            elif element.within == "item" and element.tag == "wp:comment":
                kind = element.text_of("wp:comment_type")
                if kind in READERS:
                    yield self._comment(element, post_id)
                else:
                    self.skipped[kind] += 1

    def _comment(self, element: xmlstream.Element, post_id: str) -> Imported | Problem:
        """One <wp:comment> as an Imported comment, or the Problem that keeps it out."""
        text = element.text_of
        where = fields.place(self.path, element.line)
        try:
            source_id = fields.source_id(text("wp:comment_id"), "wp:comment_id")
            where += f", comment {source_id}"
            approved = text("wp:comment_approved")
            if approved not in STATUSES:
                raise fields.Refused(f"comment_approved {approved!r} is not 1, 0, spam or trash")
            if not post_id:
                raise fields.Refused("its <item> has no wp:post_id before it")
            comment = Imported(
                source_id=source_id,
                post_id=post_id,
                content=text("wp:comment_content"),
                author_name=text("wp:comment_author"),
                author_email=text("wp:comment_author_email"),
                created_at=_posted(element),
                status=STATUSES[approved],
                author_url=fields.optional(text("wp:comment_author_url")),
                user_ip=fields.optional(text("wp:comment_author_IP")),
                parent_source_id=_parent(text("wp:comment_parent")),
                where=where,
            )
        except fields.Refused as refused:
            return Problem(where, str(refused))
        if comment.status == Status.SPAM:
            self.spam += 1
        return comment


def _posted(comment: xmlstream.Element) -> datetime:
    """When a comment was posted, in UTC: its GMT date, else its date in the site's time.

    Comments that older blogs imported can hold a zero GMT date (0000-00-00 00:00:00): their
    local date is off by no more than the site's offset from UTC (the REST import does so too).
    """
    dates = {name: comment.text_of(f"wp:{name}") for name in ("comment_date_gmt", "comment_date")}
    for name, value in dates.items():
        try:
            return fields.moment(value, name)
        except fields.Refused:
            continue
    raise fields.Refused("no date: " + ", ".join(f"{n} {v!r}" for n, v in dates.items()))


def _parent(value: str) -> str | None:
    """The id of the comment replied to; WordPress writes 0 for none."""
    return None if value in ("", "0") else value


def read(path: Path) -> tuple[str, Comments]:
    """Open a WXR file: its source name ("WordPress <home URL>") and its comments.

    Reads up to the first post to find the site; raises ImportFailure when the file
    cannot be read or is no WordPress export.
    """
    elements = xmlstream.elements(path, PREFIXES, CONTAINERS)
    root = next(elements)
    if root.tag != "rss":
        raise ImportFailure(f"{path.name}: not a WordPress export (its root is <{root.tag}>)")
    header: dict[str, str] = {}
    for element in elements:
        if element.tag == "item":
            elements = itertools.chain([element], elements)
            break
        if element.within == "channel":
            header.setdefault(element.tag, element.text)
    if "wp:wxr_version" not in header:
        raise ImportFailure(
            f"{path.name}: an RSS feed, not a WordPress export (no wp:wxr_version 1.0 to 1.2)"
        )
    home = (header.get("link") or header.get("wp:base_blog_url", "")).rstrip("/")
    if not home:
        raise ImportFailure(f"{path.name}: names no site (its channel has no <link>)")
    return fields.source_name(f"WordPress {home}", path), Comments(path, elements)
