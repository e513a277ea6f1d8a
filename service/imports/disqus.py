"""Disqus's export (Moderation > Export, a gzipped XML file): its posts and their verdicts.

The file is <disqus> (namespace http://disqus.com; Disqus's own ids in the dsq namespace)
holding, in this order, <category> elements naming the forum, <thread> elements (one per
page: dsq:id, <link>, the site's own <id> when it set one, <title>) and <post> elements:
dsq:id, <message> (HTML, as Disqus rendered it), <createdAt> (UTC), <isDeleted>,
<isSpam>, <author> (<name>, <email>, <isAnonymous>, <username>), <ipAddress>,
<thread dsq:id> and, for a reply, <parent dsq:id>. Older exports carry each author's email;
where a post has none (authors who signed in through a social network, and, it seems, every
post of recent exports), the store reports it, as the API refuses a comment without one.

A post's post_id is its thread's <link>, the page's address: Disqus records it for every
thread, while the site's own identifier (<id>) is optional and often empty; a thread
without a link falls back to that identifier. A site moving from Disqus sends the page's
URL as post_id to see its old threads continue.

Verdicts: spam -> spam, deleted -> rejected (by a moderator, or by its own author), anything
else -> approved. The export has no flag for a post still awaiting moderation in Disqus, so
such a post comes in as approved; moderate Disqus's pending queue before exporting.
"""

import itertools
from collections.abc import Iterator
from pathlib import Path

from ..tables import Status
from . import Imported, ImportFailure, Problem, fields, xmlstream

PREFIXES = {"http://disqus.com": "", "http://disqus.com/disqus-internals": "dsq"}
_NOBODY = xmlstream.Element("author", 0, {})


class Posts:
    """A file's posts, read as they are iterated; threads are remembered as they pass."""

    def __init__(self, path: Path, elements: Iterator[xmlstream.Element]):
        self.path, self.elements = path, elements
        self.threads: dict[str, str] = {}  # dsq:id -> post_id ("" for a thread with neither)

    def __iter__(self) -> Iterator[Imported | Problem]:
        for element in self.elements:
            if element.tag == "thread" and element.attrs.get("dsq:id"):
                thread = element.text_of("link") or element.text_of("id")
                self.threads[element.attrs["dsq:id"]] = thread
            elif element.tag == "post":
                yield self._post(element)

    def _post(self, element: xmlstream.Element) -> Imported | Problem:
        """One <post> as an Imported comment, or the Problem that keeps it out."""
        where = fields.place(self.path, element.line)
        try:
            source_id = fields.source_id(element.attrs.get("dsq:id", ""), "dsq:id")
            where += f", post {source_id}"
            author = element.find("author") or _NOBODY
            post = Imported(
                source_id=source_id,
                post_id=self._thread(element),
                content=element.text_of("message"),
                author_name=author.text_of("name") or author.text_of("username"),
                author_email=author.text_of("email"),
                created_at=fields.moment(element.text_of("createdAt"), "createdAt"),
                status=_status(element),
                user_ip=fields.optional(element.text_of("ipAddress")),
                parent_source_id=_reference(element, "parent") or None,
                where=where,
            )
        except fields.Refused as refused:
            return Problem(where, str(refused))
        return post

    def _thread(self, post: xmlstream.Element) -> str:
        """The post_id of a post's thread, declared earlier in the file."""
        thread = _reference(post, "thread")
        if thread not in self.threads:
            raise fields.Refused(f"its thread {thread!r} is not declared before it")
        if not self.threads[thread]:
            raise fields.Refused(f"its thread {thread} has neither a <link> nor an <id>")
        return self.threads[thread]


def _reference(element: xmlstream.Element, tag: str) -> str:
    """The dsq:id a child such as <thread dsq:id="..."/> points to; "" when absent."""
    child = element.find(tag)
    return "" if child is None else child.attrs.get("dsq:id", "")


def _flag(element: xmlstream.Element, tag: str) -> bool:
    """A true/false child (absent: false), or refuse any other value."""
    value = element.text_of(tag).lower()
    if value not in ("true", "false", ""):
        raise fields.Refused(f"{tag} {value[:20]!r} is neither true nor false")
    return value == "true"


def _status(post: xmlstream.Element) -> Status:
    """The verdict a post carries: spam before deleted, since spam is the stronger label."""
    spam, deleted = _flag(post, "isSpam"), _flag(post, "isDeleted")
    return Status.SPAM if spam else Status.REJECTED if deleted else Status.APPROVED


def read(path: Path) -> tuple[str, Posts]:
    """Open a Disqus export: its source name ("Disqus <forum>") and its posts.

    Reads up to the first element naming the forum (its first category, as Disqus
    writes it); raises ImportFailure when the file cannot be read or is no Disqus export.
    """
    elements = xmlstream.elements(path, PREFIXES, frozenset())
    root = next(elements)
    if root.tag != "disqus":
        raise ImportFailure(f"{path.name}: not a Disqus export (its root is <{root.tag}>)")
    held, forum = [], ""
    for element in elements:
        held.append(element)
        forum = element.text_of("forum")
        if forum or element.tag == "post":
            break
    if not forum:
        raise ImportFailure(f"{path.name}: names no forum (no <forum> before its first post)")
    return fields.source_name(f"Disqus {forum}", path), Posts(path, itertools.chain(held, elements))
