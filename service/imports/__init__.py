"""Importing a site's history from the tools it used before: what every source yields.

Each source module (wordpress, wxr, disqus, csvfile) reads its format and yields, in its
own order, an `Imported` comment for each record it understood and a `Problem` for each it
could not; `store.run` keeps the comments and their verdicts, batch by batch. A source that
cannot be read at all (a wrong password, a missing file) raises `ImportFailure` before its
first record, and the run stores nothing; one that fails midway raises it too, and the
batches stored before are kept for the next run to continue from.
"""

from dataclasses import dataclass
from datetime import datetime

from ..tables import Status


class ImportFailure(Exception):
    """The source cannot be read, or read any further: the batch being read is not stored."""


@dataclass(frozen=True)
class Imported:
    """One comment as its source kept it, with the verdict the source's moderators gave it.

    source_id is the comment's id in its source, stable across runs: with the source's
    name it is what makes a second import of the same history add nothing.
    status is the source's verdict: pending (undecided), approved, rejected or spam.
    """

    source_id: str
    post_id: str
    content: str
    author_name: str
    author_email: str
    created_at: datetime
    status: Status
    author_url: str | None = None
    user_ip: str | None = None
    user_agent: str | None = None
    parent_source_id: str | None = None
    # Where the record is in its source, for messages ("export.xml line 120"); empty:
    # the store names it by its source id.
    where: str = ""


@dataclass(frozen=True)
class Problem:
    """A record the source holds but that cannot be imported: where it is, and why."""

    where: str  # "export.xml line 120", "WordPress comment 4711"
    message: str
