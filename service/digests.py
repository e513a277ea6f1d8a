"""Digests: a moderator's email of the comments waiting on a site, at most one per N minutes.

A moderator subscribes per site (`subscribe`: the console's Email page or `flask moderators
digest`). The worker's job, `send_due`, mails each subscription whose last digest is at least
`minutes` old and whose site has comments waiting that no digest has shown this moderator
(ids above its `mark`): the oldest MAX_COMMENTS of them, each with its author, text, reasons,
score and one-click Approve and Spam links (service.decision_links). Nothing waits, nothing
is sent.

Any number of workers on any number of hosts may run it: a worker claims a subscription with
one conditional UPDATE (unclaimed, and at the mark it read), which one worker alone can win,
for LEASE_SECONDS, so one that dies mid-send leaves it to the next. A send that fails is
logged and recorded on the row, and tried again at the next poll. The web requests never
wait on any of this: a comment is stored and routed whatever the mail server does.
"""

import logging
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from . import access, decision_links, leases, mail, sites
from .clock import now
from .db import db
from .errors import Invalid
from .tables import Comment, DigestSubscription, Moderator, Site, Status

log = logging.getLogger(__name__)

# The most minutes between two digests a moderator may ask for (a day), and the usual.
MAX_MINUTES = 24 * 60
DEFAULT_MINUTES = 15
# The most comments one digest shows; the next digest brings the rest.
MAX_COMMENTS = 50
# How old a comment must be to be mailed. Ids are handed out at insert, not in commit order: a
# comment committed just after a digest was read, under an id below the newest it showed, would
# be passed over for good. Waiting this long, only a submission taking longer is.
SETTLE_SECONDS = 10
# The console page where a moderator chooses their digests (service.console.notifications).
PREFERENCES_ENDPOINT = "console.notifications"

SUBSCRIPTIONS = DigestSubscription.__table__


def problem(config: Mapping) -> str | None:
    """Say why no digest can be sent with this configuration, or None when one can."""
    if trouble := mail.problem(config):
        return trouble
    url = urlsplit(config["PUBLIC_URL"] or "")
    if url.scheme not in ("http", "https") or not url.netloc:
        return (
            "PUBLIC_URL, the address moderators open the console at (such as "
            "https://moderato.example.org), is not set: a digest's links cannot be made, "
            "so no digest is sent."
        )
    if not config["DECISION_LINK_HOURS"] > 0:
        return "DECISION_LINK_HOURS must be more than 0: a digest's links would never work."
    return None


def subscribe(moderator: Moderator, site: Site, minutes: int) -> DigestSubscription:
    """Set how often the moderator may be mailed about the site (0: never); not committed."""
    if not 0 <= minutes <= MAX_MINUTES:
        raise Invalid(f"minutes must be from 0 (off) to {MAX_MINUTES} (a day)", "minutes")
    if not access.may_see(moderator, site.id):
        raise Invalid(f"{moderator.email} may not see the site {site.name}", "site")
    row = db.session.scalar(
        sa.select(DigestSubscription).where(
            DigestSubscription.moderator_id == moderator.id,
            DigestSubscription.site_id == site.id,
        )
    )
    if row is None:
        row = DigestSubscription(moderator=moderator, site=site, mark=0)
        db.session.add(row)
    row.minutes = minutes
    return row


def preferences(moderator: Moderator) -> list[tuple[Site, DigestSubscription | None]]:
    """Each site the moderator may see, by name, with their subscription to it, if any."""
    query = access.visible(moderator, sa.select(Site), Site.id).order_by(Site.name)
    mine = db.session.scalars(
        sa.select(DigestSubscription).where(DigestSubscription.moderator_id == moderator.id)
    )
    by_site = {row.site_id: row for row in mine}
    return [(site, by_site.get(site.id)) for site in db.session.scalars(query)]


def _waiting() -> tuple[sa.ColumnElement[bool], ...]:
    """What makes a comment wait, as the queue has it: pending, on a site moderated here."""
    return (Comment.status == Status.PENDING, Comment.site_id.not_in(sites.MODERATED_ELSEWHERE))


def _unclaimed(at: datetime) -> sa.ColumnElement[bool]:
    """No worker is sending the subscription's digest (or its claim ran out)."""
    column = DigestSubscription.claimed_until
    return sa.or_(column.is_(None), column <= at)


def due(at: datetime) -> list[DigestSubscription]:
    """The subscriptions whose digest may go now: on, unclaimed, rested, something waiting."""
    rows = db.session.scalars(
        sa.select(DigestSubscription)
        .join(DigestSubscription.moderator)
        .where(DigestSubscription.minutes > 0, Moderator.disabled_at.is_(None), _unclaimed(at))
        .order_by(DigestSubscription.id)
    ).all()
    newest = _newest_waiting({row.site_id for row in rows})
    return [
        row
        for row in rows
        if newest.get(row.site_id, 0) > row.mark
        and access.may_see(row.moderator, row.site_id)
        and (row.last_sent_at is None or at - row.last_sent_at >= timedelta(minutes=row.minutes))
    ]


def _newest_waiting(site_ids: set[int]) -> dict[int, int]:
    """The id of the newest comment waiting on each of the sites that has one.

    One query per poll, whatever the number of digests, read from the index on status,
    site and score (a site's pending comments, no more). Unsettled comments count: a claim
    that finds only those gives itself back.
    """
    if not site_ids:
        return {}
    newest = (
        sa.select(Comment.site_id, sa.func.max(Comment.id))
        .where(*_waiting(), Comment.site_id.in_(site_ids))
        .group_by(Comment.site_id)
    )
    return {site_id: newest_id for site_id, newest_id in db.session.execute(newest)}


def send_due() -> None:
    """Send every digest that is due, over one connection; the worker's job at each poll."""
    config, at, holder = current_app.config, now(), leases.holder_id()
    subscriptions = due(at)
    if not subscriptions:
        return
    if trouble := problem(config):
        log.warning("%d digests due, none sent: %s", len(subscriptions), trouble)
        return
    with ExitStack() as stack:
        server = None
        for subscription in subscriptions:
            rows = _claim(subscription, holder)
            if not rows:
                continue
            try:
                server = server or stack.enter_context(mail.connection(config))
                server.send_message(compose(subscription, rows))
            except mail.SendError as error:
                _failed(subscription, holder, error)
                if isinstance(error, mail.MESSAGE_REFUSED):
                    continue
                break  # the server is away or refuses us: the others would only fail too
            _sent(subscription, holder, rows)


def _claim(subscription: DigestSubscription, holder: str) -> list[Comment]:
    """Claim the subscription's digest for this worker and return its comments, or [].

    Only one worker's UPDATE finds the row unclaimed at the mark it read; one that finds
    nothing settled waiting (decided meanwhile, or too new) gives the claim back.
    """
    at, seconds = now(), current_app.config["LEASE_SECONDS"]
    claimed = db.session.execute(
        sa.update(SUBSCRIPTIONS)
        .where(
            SUBSCRIPTIONS.c.id == subscription.id,
            SUBSCRIPTIONS.c.mark == subscription.mark,
            _unclaimed(at),
        )
        .values(claimed_by=holder, claimed_until=at + timedelta(seconds=seconds))
    ).rowcount
    db.session.commit()
    if not claimed:
        return []
    settled = at - timedelta(seconds=SETTLE_SECONDS)
    rows = db.session.scalars(
        sa.select(Comment)
        .where(
            *_waiting(),
            Comment.site_id == subscription.site_id,
            Comment.id > subscription.mark,
            Comment.created_at <= settled,
        )
        .order_by(Comment.id)
        .limit(MAX_COMMENTS + 1)
    ).all()
    if not rows:
        _finish(subscription, holder)
    return list(rows)


def _finish(subscription: DigestSubscription, holder: str, **values) -> bool:
    """Give back this worker's claim, storing values with it; False if another took it over."""
    done = db.session.execute(
        sa.update(SUBSCRIPTIONS)
        .where(SUBSCRIPTIONS.c.id == subscription.id, SUBSCRIPTIONS.c.claimed_by == holder)
        .values(claimed_by=None, claimed_until=None, **values)
    ).rowcount
    db.session.commit()
    return bool(done)


def _sent(subscription: DigestSubscription, holder: str, rows: list[Comment]) -> None:
    """Record a digest sent: its time, and the newest comment it showed as the new mark."""
    shown = rows[:MAX_COMMENTS]
    mark = shown[-1].id
    sent = {"mark": mark, "last_sent_at": now(), "failed_at": None, "error": None}
    if not _finish(subscription, holder, **sent):
        log.warning(
            "digest %d: sent, but its claim ran out and was taken over: it may come twice",
            subscription.id,
        )
    log.info(
        "digest of %s sent to %s: %d comments",
        subscription.site.name,
        subscription.moderator.email,
        len(shown),
    )


def _failed(subscription: DigestSubscription, holder: str, error: Exception) -> None:
    """Record and log a send that failed; the next poll tries again."""
    why = f"{type(error).__name__}: {error}"[:500]
    _finish(subscription, holder, failed_at=now(), error=why)
    log.warning(
        "digest of %s to %s not sent, tried again at the next poll: %s",
        subscription.site.name,
        subscription.moderator.email,
        why,
    )


def compose(subscription: DigestSubscription, rows: list[Comment]) -> EmailMessage:
    """Write the digest of these comments (one more than shown: the next digest has it)."""
    config, site, moderator = current_app.config, subscription.site, subscription.moderator
    shown = rows[:MAX_COMMENTS]
    links = {
        comment.id: {
            decision: _public_url(
                "console.decision_link", token=decision_links.token(moderator, comment, decision)
            )
            for decision in decision_links.DECISIONS
        }
        for comment in shown
    }
    context = {
        "site": site,
        "comments": shown,
        "more": len(rows) > len(shown),
        "links": links,
        "threshold": sites.thresholds(sites.settings_of(site)).spam,
        "hours": config["DECISION_LINK_HOURS"],
        "minutes": subscription.minutes,
        "queue_url": _public_url("console.queue", site=site.id),
        "preferences_url": _public_url(PREFERENCES_ENDPOINT),
    }
    count = f"{len(shown)}{'+' if context['more'] else ''}"
    subject = f"{count} comment{'s' if len(shown) != 1 else ''} waiting on {site.name}"
    # Rendered from the app's Jinja environment, not render_template: no request here, and
    # the console's context processors read the session.
    text = current_app.jinja_env.get_template("mail/digest.txt").render(context)
    html = current_app.jinja_env.get_template("mail/digest.html").render(context)
    return mail.message(config, moderator.email, subject, text, html)


def _public_url(endpoint: str, **values) -> str:
    """The full address of a console page under PUBLIC_URL (its path prefix kept)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
