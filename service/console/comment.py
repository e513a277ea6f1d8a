"""A comment's page: its whole story, and the lists' decisions taken from there."""

import sqlalchemy as sa
from flask import abort, g, render_template, request

from .. import access, comments, sites
from ..db import db
from ..errors import NotFound
from ..tables import Comment, Moderator
from .blueprint import bp
from .login import login_required, safe_next
from .queue import BUTTONS, CONFIRMS, in_words

# How many of the author's other comments, and of the replies, the page lists.
SHOWN = 20


@bp.route("/comments/<int:comment_id>")
@login_required
def comment_page(comment_id: int):
    """Show a comment, its author and record, why it is where it is, its decisions and thread.

    A comment of a site the moderator may not see is answered as one that does not exist.
    """
    user = g.console_user
    try:
        comment = comments.get(user, comment_id)
    except NotFound as error:
        abort(404, description=error.message)
    settings = sites.settings_of(comment.site)
    limits = sites.thresholds(settings)
    # Emailless comments (imported from a source that kept none) share no author.
    known = bool(comment.author_email)
    same_author = Comment.author_email == comment.author_email
    parent, _ = _some(user, comment, Comment.id == comment.parent_id)
    return render_template(
        "console/comment.html",
        comment=comment,
        settings=settings,
        limits=limits,
        meaning=score_meaning(comment.spam_score, limits, settings.trusted),
        history=[(action, in_words(action)) for action in comment.actions],
        undone={action.undoes_id for action in comment.actions if action.undoes_id},
        record=comments.author_record(comment) if known else None,
        others=_some(user, comment, same_author, newest=True) if known else ([], False),
        parent=parent[0] if parent else None,
        # No index leads with parent_id, so this reads the site's comments: most of the
        # page's time on a big site (p50 82 ms SQLite, 62 ms PostgreSQL with 100,000 on
        # the site; `python -m bench.comment_page`).
        replies=_some(user, comment, Comment.parent_id == comment.id),
        buttons=BUTTONS[comment.status],
        confirm=CONFIRMS.get(comment.status),
        undecided=not comments.decided(comment),
        back=safe_next(request.args.get("back")),
    )


def _some(
    moderator: Moderator, comment: Comment, which: sa.ColumnElement, newest: bool = False
) -> tuple[list[Comment], bool]:
    """Up to SHOWN other comments of the comment's site that match, and whether more do.

    Oldest first, as a thread reads; newest first when asked, as a record is read.
    """
    query = access.visible(moderator, sa.select(Comment)).where(
        Comment.site_id == comment.site_id, Comment.id != comment.id, which
    )
    order = (Comment.created_at, Comment.id)
    query = query.order_by(*(key.desc() for key in order) if newest else order)
    rows = db.session.scalars(query.limit(SHOWN + 1)).all()
    return list(rows[:SHOWN]), len(rows) > SHOWN


# What a score below the trusted threshold does under each trusted mode (settings.trusted).
_TRUSTED = {
    "off": "not spam (the trusted rule is off on this site)",
    "previously_approved": "not spam, and approved without review if its author was before",
    "below_ham_threshold": "not spam, and approved without review",
}


def score_meaning(score: float | None, limits: sites.Thresholds, trusted: str) -> str:
    """Say what a score means under a site's thresholds (as they are now) and trusted mode."""
    if score is None:
        return "unscored: no model served when it came in, so only the rules placed it"
    if limits.spam is None:
        return "no spam threshold: no model serves and none is set for this site"
    if score >= limits.spam:
        return f"at or above this site's spam threshold {limits.spam:.2f}: the model says spam"
    below = f"below this site's spam threshold {limits.spam:.2f}"
    if score < limits.ham:
        return f"{below} and its trusted threshold {limits.ham:.2f}: {_TRUSTED[trusted]}"
    return (
        f"{below}, at or above its trusted threshold {limits.ham:.2f}: "
        "not spam, but not low enough to approve a trusted author"
    )
