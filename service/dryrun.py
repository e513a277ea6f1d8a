"""Replay stored comments under proposed settings: what a change would do before anyone saves it.

`flask rules test` prints it and the console's settings preview shows it; both ask replay.
"""

import functools
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import admission, rules, sites
from .clock import now
from .db import db
from .scoring import Score
from .settings import Settings
from .tables import Comment, Site, Status

# What a replay reads of each comment: the fields the checks look at, and what a person
# needs to recognise an example. Columns, not ORM objects: a large site replays 100,000.
_FIELDS = (*rules.WORD_FIELDS, "honeypot", "form_rendered_at")
_COLUMNS = (
    Comment.id,
    Comment.post_id,
    Comment.spam_score,
    Comment.model_version,
    Comment.created_at,
    *(getattr(Comment, name) for name in _FIELDS),
)
# Rows fetched at a time: memory stays flat however many comments the window holds.
_BATCH = 2000

# The days replayed unless told otherwise, and the examples shown of each move.
DAYS = 30
EXAMPLES = 3


@dataclass(frozen=True)
class Change:
    """A comment that would be routed differently, and the reasons it would get.

    The comment is a row of the replayed columns: id, post_id, author_name, content, ...
    """

    comment: sa.Row
    before: Status
    after: Status
    reasons: list[str]


@dataclass(frozen=True)
class Move:
    """Comments that would move from one status to another: how many, and the first few."""

    before: Status
    after: Status
    count: int
    examples: list[Change]


def replay(site: Site, proposed: Settings, days: int) -> tuple[int, list[Change]]:
    """Route the site's comments of the last `days` under its settings and the proposed ones.

    The stored score is reused, not recomputed; refusals (closed, duplicate, flood)
    are not replayed. Returns how many comments were replayed and those that change.
    """
    window = _window(site, days)
    if proposed == sites.settings_of(site):  # nothing would change: nothing to route
        return replayed(site, days), []
    authors = sa.select(Comment.author_email).where(*window)
    # Asked once, and only if a trusted rule needs it, for every author in the window.
    first_approvals = functools.cache(lambda: admission.first_approvals(site.id, authors))
    plans = [(s, sites.thresholds(s).spam) for s in (sites.settings_of(site), proposed)]
    query = sa.select(*_COLUMNS).where(*window)
    rows = db.session.execute(query.order_by(Comment.id).execution_options(yield_per=_BATCH))
    total, changes = 0, []
    for row in rows:
        total += 1
        comment = row._asdict()
        trusted = functools.partial(_approved_before, first_approvals, row)
        (before, _), (after, reasons) = (
            rules.route(_context(row, comment, settings, spam, trusted)) for settings, spam in plans
        )
        if after != before:
            changes.append(Change(row, before, after, reasons))
    return total, changes


def replayed(site: Site, days: int) -> int:
    """How many comments a replay of the last `days` reads: the site's of that window."""
    query = sa.select(sa.func.count()).select_from(Comment).where(*_window(site, days))
    return db.session.scalar(query)


def _window(site: Site, days: int) -> tuple[sa.ColumnElement[bool], ...]:
    """The conditions that pick a site's comments of the last `days`."""
    return Comment.site_id == site.id, Comment.created_at >= now() - timedelta(days=days)


def moves(changes: Iterable[Change], examples: int) -> list[Move]:
    """Group changes by where they move from and to (in status order), with `examples` of each."""

    def route(change: Change) -> tuple[Status, Status]:
        return change.before, change.after

    grouped = itertools.groupby(sorted(changes, key=route), key=route)
    listed = [(key, list(group)) for key, group in grouped]
    return [Move(*key, len(group), group[:examples]) for key, group in listed]


def _context(
    row: sa.Row, comment: dict, settings: Settings, spam: float | None, trusted
) -> rules.Context:
    """What the checks saw, or would have seen, when the comment was submitted."""
    score = Score(row.spam_score, row.model_version)
    return rules.Context(score, spam, settings, comment, trusted, row.created_at)


def _approved_before(first_approvals: Callable[[], dict], row: sa.Row) -> bool:
    """Whether the comment's author had an approved comment on the site before this one."""
    key = admission.author_key(row.author_email, row.author_name)
    return first_approvals().get(key, math.inf) < row.id
