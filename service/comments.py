"""Comments: submit, read the public thread, page through the queue, moderate."""

import contextlib
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from model.corpora import RECORD_FIELDS

from . import access, admission, campaigns, ratelimit, rules, scoring, sites, webhooks
from .clock import now
from .db import db
from .errors import Conflict, Invalid, NotFound
from .settings import Settings
from .tables import Comment, ModerationAction, Moderator, Site, Status

log = logging.getLogger(__name__)


# A plain INSERT (the ORM's unit of work cost a submission more than scoring it) that
# stores nothing when the fingerprint is taken: a duplicate, however close the two came.
def _insert(dialect) -> sa.Insert:
    table = Comment.__table__
    return (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.fingerprint])
        .returning(table.c.id, table.c.version)
    )


_INSERT = {"postgresql": _insert(postgresql), "sqlite": _insert(sqlite)}


def insert_once(row: dict) -> sa.Row | None:
    """Insert a comment's row unless its fingerprint is taken; its id and version, or None."""
    return db.session.execute(_INSERT[db.engine.dialect.name], row).one_or_none()


def _routed(
    site: Site, settings: Settings, data: dict, when: datetime, checks: tuple[rules.Check, ...]
) -> tuple[scoring.Score, Status, list[str]]:
    """Score a comment and route it through the checks under its site's settings."""
    score = scoring.score({field: data[field] for field in RECORD_FIELDS})
    trusted = functools.partial(
        admission.previously_approved, site.id, data["author_email"], data["author_name"]
    )
    context = rules.Context(score, sites.thresholds(settings).spam, settings, data, trusted, when)
    return (score, *rules.route(context, checks))


def submit(
    site: Site, data: dict, checks: tuple[rules.Check, ...] = rules.CHECKS, screen: bool = True
) -> Comment:
    """Admit, score, route and durably store a new comment under its site's settings.

    screen=False stores a comment the site already decided (a report of one never
    checked here): no closed-post or flood refusal applies to the past.
    """
    when, settings = now(), sites.settings_of(site)
    if data["parent_id"] is not None:
        data = {**data, "parent_id": _reply_parent(site, settings, data)}
    slot = contextlib.nullcontext()
    if screen:
        admission.admit(site, settings, data, when)
        slot = ratelimit.reader_slot(
            site.id,
            data["user_ip"],
            data["author_email"],
            settings.flood_per_minute,
            settings.flood_interval_seconds,
        )
    with slot:
        score, status, reasons = _routed(site, settings, data, when, checks)
        placement = campaigns.place(site.id, data["content"])
        row = {
            "site_id": site.id,
            **data,
            "status": status,
            "spam_score": score.value,
            "model_version": score.model_version,
            "reasons": reasons,
            "created_at": when,
            "fingerprint": admission.fingerprint(
                site.id, data["post_id"], data["author_email"], data["content"]
            ),
            "campaign_id": placement.campaign_id,
        }
        stored = insert_once(row)
        if stored is None:
            db.session.rollback()
            raise Conflict("duplicate comment: this author already posted this on this post")
        _group(placement, stored.id)
        comment = Comment(**row, **stored._asdict())  # as stored; not attached to the session
        webhooks.comment_changed(comment, None, settings)
        db.session.commit()
    return comment


def _group(placement: campaigns.Placement, comment_id: int) -> None:
    """Store a new comment's campaign; a grouping that fails must not cost the comment.

    Two comments joining the same campaign at once update the same rows, and PostgreSQL may
    end one of them as a deadlock: that one is stored without renaming the others (the next
    comment like them merges the campaigns). The savepoint is the connection's: store writes
    through it in Core, so the session's own savepoint bookkeeping (a flush, a snapshot) would
    buy nothing, at a tenth of grouping's cost.
    """
    try:
        with db.session.connection().begin_nested():
            campaigns.store(placement, comment_id)
    except sa.exc.OperationalError as error:
        log.warning("comment %s stored without updating its campaign: %s", comment_id, error)


def route_only(site: Site, data: dict, checks: tuple[rules.Check, ...]) -> Comment:
    """Score and route a comment as submit would, storing nothing (a client's test)."""
    when = now()
    score, status, reasons = _routed(site, sites.settings_of(site), data, when, checks)
    return Comment(
        site_id=site.id,
        **data,
        status=status,
        spam_score=score.value,
        model_version=score.model_version,
        reasons=reasons,
        created_at=when,
    )


def find(site: Site, data: dict) -> Comment | None:
    """The stored comment with the same site, post, author and words, history loaded."""
    key = admission.fingerprint(site.id, data["post_id"], data["author_email"], data["content"])
    query = sa.select(Comment).where(Comment.fingerprint == key)
    options = (orm.joinedload(Comment.site), orm.selectinload(Comment.actions))
    return db.session.scalar(query.options(*options))


# What a recheck gives the checks besides the record the classifier sees.
_RESCORED = ("user_ip", "user_agent", "referrer", "honeypot", "form_rendered_at")


def rescore(comment: Comment, checks: tuple[rules.Check, ...]) -> Comment:
    """Score and route a stored comment again (a client's recheck), unless a person decided it."""
    if comment.actions:
        return comment
    data = {name: getattr(comment, name) for name in (*RECORD_FIELDS, *_RESCORED)}
    settings, before = sites.settings_of(comment.site), comment.status
    score, comment.status, comment.reasons = _routed(
        comment.site, settings, data, comment.created_at, checks
    )
    comment.spam_score, comment.model_version = score.value, score.model_version
    webhooks.comment_changed(comment, before, settings)
    db.session.commit()
    return comment


def decide_through_client(comment: Comment, target: Status, via: str) -> None:
    """Record a decision a site's own moderators made in their tool: a label like any other.

    A confirmation of the comment's status counts too; repeating the latest decision
    changes nothing (the same rule as a moderator's, in `moderate`).
    """
    if _repeats(comment, target):
        return
    _record(comment, target, via=via)
    db.session.commit()


def decided(comment: Comment) -> bool:
    """Say whether someone decided the status the comment is in (its history loaded).

    Machine routing writes no action, so a comment the rules or the classifier placed
    is undecided until a person moves it or confirms it where it is.
    """
    return bool(comment.actions) and comment.actions[-1].to_status == comment.status


def _repeats(comment: Comment, target: Status) -> bool:
    """Say whether deciding target would only repeat the comment's latest decision.

    Confirming where the machine put a comment is a decision (a training label);
    saying again what someone already decided adds nothing, so it records nothing.
    """
    return comment.status == target and decided(comment)


def is_confirmation(action: ModerationAction) -> bool:
    """Say whether an action confirmed the status its comment already had."""
    return action.from_status == action.to_status


def _record(
    comment: Comment,
    target: Status,
    moderator: Moderator | None = None,
    via: str | None = None,
    undoes: ModerationAction | None = None,
) -> None:
    """Add a decision moving the comment to target, or confirming it there; not committed.

    undoes: the decision this one takes back (an undo), which then stops being a label.
    """
    db.session.add(
        ModerationAction(
            comment=comment,
            moderator=moderator,
            via=via,
            undoes=undoes,
            from_status=comment.status,
            to_status=target,
            created_at=now(),
        )
    )
    before, comment.status = comment.status, target
    webhooks.comment_changed(comment, before)
    # A confirmation changes no column, yet it is a new state: its version moves too,
    # so a moderator acting on the state before it gets the stale-version 409.
    orm.attributes.flag_modified(comment, "status")


def _reply_parent(site: Site, settings: Settings, data: dict) -> int | None:
    """Return the comment a reply hangs under: its parent, or as deep as thread_depth allows.

    A reply to a comment at the deepest level joins that comment's own parent, as
    WordPress shows it, so no chain of replies grows without bound.
    """
    parent = db.session.get(Comment, data["parent_id"])
    fits = (
        parent is not None
        and parent.site_id == site.id
        and parent.post_id == data["post_id"]
        and parent.status == Status.APPROVED
    )
    if not fits:
        raise Invalid("Must be an approved comment of the same post.", field="parent_id")
    path = _ancestry(parent.id)
    level = min(len(path) + 1, settings.thread_depth)
    return path[level - 2] if level > 1 else None


def _ancestry(comment_id: int) -> list[int]:
    """Return the ids from a comment's thread root down to the comment, in one query."""
    chain = (
        sa.select(Comment.id, Comment.parent_id, sa.literal(0).label("up"))
        .where(Comment.id == comment_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        sa.select(Comment.id, Comment.parent_id, chain.c.up + 1).join(
            chain, Comment.id == chain.c.parent_id
        )
    )
    return db.session.scalars(sa.select(chain.c.id).order_by(chain.c.up.desc())).all()


@dataclass
class ThreadNode:
    """A published comment and the published replies shown under it."""

    comment: Comment
    replies: list["ThreadNode"] = field(default_factory=list)
    level: int = 1


def public_thread(site: Site, post_id: str) -> tuple[list[ThreadNode], int]:
    """The approved comments of one site's post, oldest first, as nested as thread_depth lets.

    Built in one pass, never recursing per level: a reply whose parent sits at the
    deepest level is shown beside it, and one whose parent is unpublished at the top.
    """
    query = sa.select(Comment).where(
        Comment.site_id == site.id, Comment.post_id == post_id, Comment.status == Status.APPROVED
    )
    comments = db.session.scalars(query.order_by(Comment.created_at, Comment.id)).all()
    depth = sites.settings_of(site).thread_depth
    nodes: dict[int, ThreadNode] = {}
    holders: dict[int, list[ThreadNode]] = {}  # the list each comment is shown in
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id)
        if parent is None:
            node, holder = ThreadNode(comment), roots
        elif parent.level < depth:
            node, holder = ThreadNode(comment, level=parent.level + 1), parent.replies
        else:
            node, holder = ThreadNode(comment, level=parent.level), holders[parent.comment.id]
        holder.append(node)
        nodes[comment.id], holders[comment.id] = node, holder
    return roots, len(comments)


def _uncertainty(moderator: Moderator) -> sa.ColumnElement:
    """How far each comment's score lies from its site's spam threshold; null if unscored.

    The nearest are the model's closest calls, where a moderator's decision teaches it
    most. Computed from the thresholds of the moderator's sites (sites.thresholds_of)
    on every row a query reads: no index orders by it, so each page reads every comment of
    the status, though only from the index on (status, site_id, spam_score, id). For
    100,000 pending comments on four sites among 400,000, a page took 26-28 ms on SQLite
    and 24-25 ms on PostgreSQL, against 5-6 ms by score (`python -m bench.uncertain_queue`,
    p50 on a 2-core machine).
    """
    threshold = sites.spam_threshold_sql(sites.thresholds_of(moderator), Comment.site_id)
    return sa.func.abs(Comment.spam_score - threshold, type_=sa.Float)


# What each sort orders by (descending when the sort starts with "-").
_SORT_KEYS: dict[str, Callable[[Moderator], sa.ColumnElement]] = {
    "spam_score": lambda moderator: Comment.spam_score,
    "created_at": lambda moderator: Comment.created_at,
    "uncertain": _uncertainty,
}


# A queue row: every column of the comment and its site's name, read as plain rows
# (building ORM objects for a page of 100 cost more than the query itself).
_QUEUE_ROW = sa.select(*Comment.__table__.columns, Site.name.label("site_name")).join_from(
    Comment, Site
)


class QueueItem:
    """A queue row and the size of its campaign in the row's status (None: no campaign)."""

    __slots__ = ("campaign_size", "row")

    def __init__(self, row: sa.Row, campaign_size: int | None):
        self.row, self.campaign_size = row, campaign_size

    def __getattr__(self, name: str):
        return getattr(self.row, name)


def _to_review(moderator: Moderator, query: sa.Select, status: Status) -> sa.Select:
    """Limit a comment query to a status and the sites the moderator may see.

    Pending comments of a site moderated in its own tool are decided there, not here.
    """
    query = access.visible(moderator, query).where(Comment.status == status)
    if status != Status.PENDING:
        return query
    return query.where(Comment.site_id.not_in(sites.MODERATED_ELSEWHERE))


def _grouping(query: sa.Select, campaign: int | None, grouped: bool) -> sa.Select:
    """Limit a comment query to one campaign's comments, or to one comment per campaign."""
    if campaign is not None:
        query = query.where(Comment.campaign_id == campaign)
    return campaigns.first_of_each(query) if grouped else query


def queue_page(
    moderator: Moderator,
    status: Status,
    sort: str,
    cursor: list | None,
    limit: int,
    campaign: int | None = None,
    grouped: bool = False,
) -> tuple[list[QueueItem], list | None]:
    """One keyset page of comments in a status, and the cursor of the next page.

    Unscored comments (no spam_score) come after all scored ones in either
    direction, oldest first; each segment is walked by its own key, (sort value, id)
    then id, which is index-friendly for every sort but `uncertain` (computed).
    campaign: only that campaign's comments; grouped: only the oldest of each campaign.
    """
    descending = sort.startswith("-")
    value = _SORT_KEYS[sort.lstrip("-")](moderator)
    keyed = _to_review(moderator, sa.select(Comment.id, value.label("sort_value")), status)
    keyed = _grouping(keyed, campaign, grouped)
    # (filter, keyset columns, descending) of each segment, walked in turn.
    segments = [(value.is_not(None), (value, Comment.id), descending)]
    if getattr(value, "nullable", True):  # only created_at is never null; a distance may be
        segments.append((value.is_(None), (Comment.id,), False))
    start = 1 if cursor is not None and cursor[0] is None else 0
    rows: list[sa.Row] = []
    for index, (where, keys, desc) in enumerate(segments[start:], start):
        query = keyed.where(where).order_by(*(k.desc() if desc else k for k in keys))
        if cursor is not None and index == start:
            values = cursor[-len(keys) :]
            key = sa.tuple_(*keys)
            last = sa.tuple_(*(sa.literal(v, k.type) for k, v in zip(keys, values, strict=True)))
            query = query.where(key < last if desc else key > last)
        rows += _rows_of(query.limit(limit + 1 - len(rows)), desc)
        if len(rows) > limit:
            break
    # Counted once per campaign on the page, not once per row: a large campaign's rows
    # would each count all of it.
    sizes = campaigns.sizes((row.campaign_id for row in rows[:limit]), status)
    items = [QueueItem(row, sizes.get(row.campaign_id)) for row in rows[:limit]]
    if len(rows) <= limit:
        return items, None
    last_row = rows[limit - 1]
    return items, [last_row.sort_value, last_row.id]


def _rows_of(page: sa.Select, descending: bool) -> list[sa.Row]:
    """Read in full, in its order, the comments a keyset query (id, sort_value) picked.

    The page is chosen reading only what its order needs, then only its rows are read
    whole: a computed order would otherwise carry every comment of the status through
    its sort (a third of an `uncertain` page's time on PostgreSQL).
    """
    picked = page.subquery("page")
    order = (picked.c.sort_value, picked.c.id)
    query = _QUEUE_ROW.add_columns(picked.c.sort_value).join(picked, picked.c.id == Comment.id)
    return db.session.execute(query.order_by(*(c.desc() if descending else c for c in order))).all()


def get(moderator: Moderator, comment_id: int) -> Comment:
    """A comment the moderator may see, with its history loaded, or NotFound."""
    query = access.visible(moderator, sa.select(Comment)).where(Comment.id == comment_id)
    query = query.options(orm.joinedload(Comment.site), orm.selectinload(Comment.actions))
    comment = db.session.scalar(query)
    if comment is None:
        raise NotFound(f"comment {comment_id} not found")
    return comment


def author_record(comment: Comment) -> dict[str, int]:
    """How many of the author's comments on this site were approved, rejected or spam."""
    return author_records([comment])[comment.site_id, comment.author_email]


_DECIDED = (Status.APPROVED, Status.REJECTED, Status.SPAM)


def author_records(comments: Sequence[Comment]) -> dict[tuple[int, str], dict[str, int]]:
    """The record of each comment's author, keyed by (site id, email), in one query.

    An imported comment without an email has no author to tell apart: its record is empty,
    never the sum of every emailless comment on the site.
    """
    authors = {(c.site_id, c.author_email) for c in comments}
    records = {author: dict.fromkeys((s.value for s in _DECIDED), 0) for author in authors}
    known = [(site_id, email) for site_id, email in authors if email]
    if not known:
        return records
    author = sa.tuple_(Comment.site_id, Comment.author_email)
    counts = db.session.execute(
        sa.select(Comment.site_id, Comment.author_email, Comment.status, sa.func.count())
        .where(author.in_(known), Comment.status.in_(_DECIDED))
        .group_by(Comment.site_id, Comment.author_email, Comment.status)
    )
    for site_id, email, status, count in counts:
        records[site_id, email][status.value] = count
    return records


def moderate(
    moderator: Moderator, comment_id: int, target: Status, version: int | None = None
) -> Comment:
    """Decide a comment's status, recording who did it; Conflict if beaten to it.

    Deciding the status the comment is already in confirms it: a decision like any
    other, unless it only repeats the latest one, which records nothing.
    """
    comment = get(moderator, comment_id)
    _check_version(comment, version)
    if _repeats(comment, target):
        return comment
    return _decide(moderator, comment, target)


def _check_version(comment: Comment, version: int | None) -> None:
    """Refuse (Conflict) when the moderator acted on another version of the comment."""
    if version is not None and version != comment.version:
        raise Conflict(
            f"comment {comment.id} was changed by another moderator: it is now "
            f"{comment.status} (version {comment.version}, you sent {version})"
        )


def _decide(
    moderator: Moderator,
    comment: Comment,
    target: Status,
    undoes: ModerationAction | None = None,
) -> Comment:
    """Record and commit the moderator's decision; Conflict if another moderator committed first."""
    _record(comment, target, moderator=moderator, undoes=undoes)
    try:
        db.session.commit()
    except orm.exc.StaleDataError:
        db.session.rollback()
        raise Conflict(f"comment {comment.id} was changed by another moderator first") from None
    return comment


def moderate_many(moderator: Moderator, comment_ids: Sequence[int], target: Status) -> list[dict]:
    """Apply one decision to each comment in its own transaction; report each outcome."""
    return act_on_each(comment_ids, lambda comment_id: moderate(moderator, comment_id, target))


def act_on_each(comment_ids: Sequence[int], act: Callable[[int], Comment]) -> list[dict]:
    """Act on each comment in turn; report each outcome instead of stopping at a refusal."""
    results = []
    for comment_id in comment_ids:
        try:
            comment = act(comment_id)
        except (NotFound, Conflict) as error:
            results.append({"id": comment_id, "code": error.code, "error": error.message})
        else:
            results.append({"id": comment_id, "code": 200, "status": comment.status})
    return results


# How long a moderator may take back a decision (the console's "Undo").
UNDO_SECONDS = 10


def undo(moderator: Moderator, comment_id: int) -> Comment:
    """Take back the moderator's latest decision on a comment, as a new recorded action.

    Only the moderator who decided may undo it, only while it is the comment's
    latest action, and only within UNDO_SECONDS of the app clock; history keeps both.
    Undoing a confirmation leaves the status where it was and records that too. The undo
    names the decision it takes back, so neither is a label (labels.latest_decisions); an
    undo itself cannot be undone.
    """
    comment = get(moderator, comment_id)
    last = comment.actions[-1] if comment.actions else None
    if (
        last is None
        or last.moderator_id != moderator.id
        or last.to_status != comment.status
        or last.undoes_id is not None
    ):
        raise Conflict(f"comment {comment_id} has no decision of yours to undo")
    if now() - last.created_at > timedelta(seconds=UNDO_SECONDS):
        raise Conflict(f"the decision on comment {comment_id} is older than {UNDO_SECONDS} s")
    return _decide(moderator, comment, last.from_status, undoes=last)


def undo_many(moderator: Moderator, comment_ids: Sequence[int]) -> list[dict]:
    """Undo the moderator's latest decision on each comment; report each outcome."""
    return act_on_each(comment_ids, lambda comment_id: undo(moderator, comment_id))


def unpublish(moderator: Moderator, comment_id: int, version: int | None = None) -> Comment:
    """Take a published comment down, back to the queue (pending) for another look."""
    comment = get(moderator, comment_id)
    if comment.status != Status.APPROVED:
        raise Conflict(f"comment {comment_id} is {comment.status}, not published")
    _check_version(comment, version)
    return _decide(moderator, comment, Status.PENDING)


def search(
    moderator: Moderator,
    status: Status,
    sort: str = "-spam_score",
    *,
    site_id: int | None = None,
    post_id: str | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    text: str | None = None,
    campaign: int | None = None,
    grouped: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Comment], bool]:
    """One page of the comments in a status, filtered and sorted, and whether more follow.

    Unscored comments sort last either way; text matches content, name, email or website;
    campaign and grouped as for queue_page.
    """
    query = _grouping(_to_review(moderator, sa.select(Comment), status), campaign, grouped)
    if site_id is not None:
        query = query.where(Comment.site_id == site_id)
    if post_id is not None:
        query = query.where(Comment.post_id == post_id)
    if score_min is not None:
        query = query.where(Comment.spam_score >= score_min)
    if score_max is not None:
        query = query.where(Comment.spam_score <= score_max)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columns = (Comment.content, Comment.author_name, Comment.author_email, Comment.author_url)
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    value = _SORT_KEYS[sort.lstrip("-")](moderator)
    key = value.desc() if sort.startswith("-") else value.asc()
    query = query.order_by(key.nulls_last(), Comment.id).offset(offset).limit(limit + 1)
    # Each comment's history too: the console shows the latest decision and offers to
    # confirm only what nobody decided (`decided`).
    loads = (orm.joinedload(Comment.site, innerjoin=True), orm.selectinload(Comment.actions))
    rows = db.session.scalars(query.options(*loads)).all()
    return list(rows[:limit]), len(rows) > limit
