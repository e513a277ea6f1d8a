"""Replay stored comments under proposed settings: what `flask rules test` shows before a save."""

import dataclasses
import functools
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import admission, rules, sites
from .clock import now
from .db import db
from .scoring import Score
from .settings import Settings
from .tables import Comment, Site, Status

# The stored fields the checks look at.
_FIELDS = (*rules.WORD_FIELDS, "honeypot", "form_rendered_at")


@dataclass(frozen=True)
class Change:
    """A comment that would be routed differently, and the reasons it would get."""

    comment: Comment
    before: Status
    after: Status
    reasons: list[str]


def replay(site: Site, proposed: Settings, days: int) -> tuple[int, list[Change]]:
    """Route the site's comments of the last `days` under its settings and the proposed ones.

    The stored score is reused, not recomputed; refusals (closed, duplicate, flood)
    are not replayed. Returns how many comments were replayed and those that change.
    """
    current = sites.settings_of(site)
    query = sa.select(Comment).where(
        Comment.site_id == site.id, Comment.created_at >= now() - timedelta(days=days)
    )
    comments = db.session.scalars(query.order_by(Comment.id)).all()
    changes = []
    for comment in comments:
        context = _context(comment, current)
        before, _ = rules.route(context)
        after, reasons = rules.route(
            dataclasses.replace(
                context,
                settings=proposed,
                spam_threshold=sites.thresholds(proposed).spam,
            )
        )
        if after != before:
            changes.append(Change(comment, before, after, reasons))
    return len(comments), changes


def _context(comment: Comment, settings: Settings) -> rules.Context:
    """What the checks saw, or would have seen, when the comment was submitted."""
    trusted = functools.partial(
        admission.previously_approved,
        comment.site_id,
        comment.author_email,
        comment.author_name,
        comment.id,
    )
    return rules.Context(
        Score(comment.spam_score, comment.model_version),
        sites.thresholds(settings).spam,
        settings,
        {name: getattr(comment, name) for name in _FIELDS},
        trusted,
        comment.created_at,
    )
