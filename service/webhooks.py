"""Webhooks: tell a site's own endpoints when its comments are published, unpublished or spam.

A change of a comment's status becomes events in one place, `comment_changed`, which writes
one row per subscribed endpoint to the outbox (`webhook_deliveries`) in the transaction of the
change itself: a change that rolls back announces nothing, and one that commits is sure to be
announced, whatever happens to the process after. The background worker sends them
(`deliver_due`, a worker Job), never the request: each worker claims a batch of due rows with
one atomic UPDATE, so any number of workers may send, and none sends what another is sending.

A delivery is a JSON POST signed with the site's webhook secret (X-Moderato-Signature:
sha256=<hex HMAC-SHA256 of the raw body>), carrying the event's id (X-Moderato-Delivery),
the same on every retry: delivered at least once, so a site drops the ids it has seen.
A 2xx answer delivers it; anything else is retried with jittered exponential backoff until
the event is a day old, then given up. Redirects are not followed (as Stripe's webhooks):
a signed body is for the URL the site listed, so a 3xx is a failure that names the new place.
"""

import hashlib
import hmac
import json
import logging
import random
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app

from . import leases, sites
from .clock import now
from .db import db
from .schemas import PublicComment
from .settings import Settings, Webhook
from .tables import Comment, Site, Status, WebhookDelivery

log = logging.getLogger(__name__)
DELIVERIES = WebhookDelivery.__table__

PUBLISHED, UNPUBLISHED, SPAM = "comment.published", "comment.unpublished", "comment.spam"
# The console's "Send a test event": sent to every endpoint, whatever events it chose.
PING = "ping"

# Seconds to connect, then to wait for each read of the answer: a slow endpoint holds up
# the worker's other deliveries no longer than this, and is retried later.
TIMEOUT = (3, 5)
# Deliveries one claim takes, and the most claims of one poll: up to 500 deliveries a poll,
# so a backlog never keeps the worker from its other jobs for long.
BATCH = 10
BATCHES_PER_POLL = 50
# How long a claim keeps other workers off a batch: longer than its worst case (BATCH
# times both timeouts). A worker that died mid-batch delays those deliveries this long.
CLAIM = timedelta(minutes=5)
# Backoff after the n-th failed attempt: from a minute, doubling, never over three hours,
# each wait a random 50-100 % of that so endpoints back up are not hit by every retry at
# once. Retried until an attempt fails a day or more after the event: 13 or so attempts.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=3)
RETRY_FOR = timedelta(days=1)
# Delivered or given-up rows are deleted this long after their event: the console shows
# the recent ones, and the bodies quote readers' comments, which need not be kept longer.
KEEP = timedelta(days=30)


def secret_of(site: Site) -> str | None:
    """Return the site's webhook secret, or None until one is made.

    Derived from the site's random seed with SECRET_KEY, so the database alone does not
    hold it; changing SECRET_KEY changes every site's secret (as it does Akismet keys).
    """
    if site.webhook_seed is None:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"webhook secret {site.webhook_seed}".encode(), hashlib.sha256).hexdigest()


def new_secret(site: Site) -> str:
    """Give the site a new webhook secret, the previous one no longer signing; return it."""
    site.webhook_seed = secrets.token_hex(32)
    return secret_of(site)


def sign(secret: str, body: bytes) -> str:
    """Return the X-Moderato-Signature of a body: sha256=<hex HMAC-SHA256 under the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def events(before: Status | None, after: Status) -> list[str]:
    """Name the events a move from `before` (None: a new comment) to `after` sets off.

    Published: now approved, and was not; unpublished: was approved, and is not; spam: now
    spam, and was not. Approved to spam is both unpublished and spam.
    """
    named = []
    if after == Status.APPROVED and before != Status.APPROVED:
        named.append(PUBLISHED)
    if before == Status.APPROVED and after != Status.APPROVED:
        named.append(UNPUBLISHED)
    if after == Status.SPAM and before != Status.SPAM:
        named.append(SPAM)
    return named


def comment_changed(
    comment: Comment, before: Status | None, settings: Settings | None = None
) -> None:
    """Queue the events of the comment's move from `before` (None: new); not committed.

    Every change of a comment's status calls this, in the transaction that makes it, so
    the events commit or roll back with the change. settings: its site's, when known.
    """
    named = events(before, comment.status)
    if not named:
        return
    with db.session.no_autoflush:  # the change is flushed at its commit, where its 409 is caught
        site = db.session.get(Site, comment.site_id)
    webhooks = (settings or sites.settings_of(site)).webhooks
    for event in named:
        _queue(site, [hook.url for hook in webhooks if event in hook.events], event, comment)


def send_test(site: Site) -> int:
    """Queue a test event to each of the site's endpoints; return how many. Not committed."""
    urls = [hook.url for hook in sites.settings_of(site).webhooks]
    _queue(site, urls, PING, None)
    return len(urls)


def _queue(site: Site, urls: Sequence[str], event: str, comment: Comment | None) -> None:
    """Add one delivery of an event to each URL, all with the same event id and body."""
    if not urls:
        return
    event_id, when = str(uuid.uuid4()), now()
    body = {
        "id": event_id,
        "type": event,
        "created_at": when.isoformat(),
        "site": site.name,
        "comment": PublicComment().dump(comment) if comment is not None else None,
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    db.session.add_all(
        WebhookDelivery(
            event_id=event_id,
            site_id=site.id,
            comment_id=comment.id if comment is not None else None,
            url=url,
            event=event,
            body=text,
            created_at=when,
            attempts=0,
            next_attempt_at=when,
        )
        for url in urls
    )


def deliver_due() -> None:
    """Send every due delivery, a batch at a time (a worker Job), then delete old ones.

    An endpoint that fails is not tried again in the same poll: its other deliveries
    wait for the next, rather than each spending a timeout on it now.
    """
    holder, failing = leases.holder_id(), set()
    for _ in range(BATCHES_PER_POLL):
        batch = claim(holder, BATCH, skip=failing)
        if not batch:
            break
        endpoints = _endpoints({row.site_id for row in batch})
        for row in batch:
            if row.url in failing:
                _release(row, holder)
            elif not attempt(row, holder, *endpoints[row.site_id]):
                failing.add(row.url)
    prune()


def claim(holder: str, limit: int, skip: Iterable[str] = ()) -> list[sa.Row]:
    """Claim up to `limit` due deliveries for this holder, committed; return them, oldest first.

    One UPDATE whose WHERE finds a row unclaimed (or its claim expired) as it writes it: of
    two workers it is the first that claims it, on either backend. On PostgreSQL, SKIP
    LOCKED lets the second take other rows at once instead of waiting to find these taken.
    """
    when = now()
    free = sa.or_(DELIVERIES.c.claimed_until.is_(None), DELIVERIES.c.claimed_until < when)
    due = (
        sa.select(DELIVERIES.c.id)
        .where(DELIVERIES.c.next_attempt_at <= when, free, DELIVERIES.c.url.not_in(list(skip)))
        .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: it writes one at a time
    )
    claimed = db.session.execute(
        sa.update(DELIVERIES)
        .where(DELIVERIES.c.id.in_(due.scalar_subquery()), free)
        .values(claimed_by=holder, claimed_until=when + CLAIM)
        .returning(*DELIVERIES.c)
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))


def _endpoints(site_ids: set[int]) -> dict[int, tuple[tuple[Webhook, ...], str | None]]:
    """Read each site's endpoints and secret, then end the transaction before any sending."""
    found = db.session.scalars(sa.select(Site).where(Site.id.in_(site_ids)))
    endpoints = {site.id: (sites.settings_of(site).webhooks, secret_of(site)) for site in found}
    db.session.commit()
    return endpoints


def attempt(row: sa.Row, holder: str, webhooks: Sequence[Webhook], secret: str | None) -> bool:
    """Send one claimed delivery and record how it went; say whether it was delivered."""
    listed = next((hook for hook in webhooks if hook.url == row.url), None)
    if listed is None or (row.event != PING and row.event not in listed.events):
        _record(row, holder, failed_at=now(), last_error="the site no longer lists this endpoint")
        return True  # the endpoint may be fine: its other deliveries go on
    if secret is None:
        error = "the site has no webhook secret yet: flask --app wsgi sites webhook-secret NAME"
    else:
        error = post(row.url, row.body.encode(), secret, row.event_id, row.event)
    tried = DELIVERIES.c.attempts + 1
    if error is None:
        _record(row, None, attempts=tried, delivered_at=now())
        return True
    log.info("webhook %s to %s failed: %s", row.event_id, row.url, error)
    _record(row, holder, attempts=tried, last_error=error[:500], **_retry(row))
    return False


def post(url: str, body: bytes, secret: str, event_id: str, event: str) -> str | None:
    """POST a signed body to an endpoint; return None when it answered 2xx, else why not."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Moderato-Webhooks",
        "X-Moderato-Signature": sign(secret, body),
        "X-Moderato-Delivery": event_id,
        "X-Moderato-Event": event,
    }
    try:
        with requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        ) as response:
            if 200 <= response.status_code < 300:
                return None
            if response.is_redirect:
                where = response.headers["Location"][:200]
                return f"HTTP {response.status_code}: redirected to {where}, not followed"
            return f"HTTP {response.status_code} {response.reason}"
    except requests.RequestException as error:  # refused, timed out, TLS: retried like a 5xx
        return f"{type(error).__name__}: {error}"


def _retry(row: sa.Row) -> dict:
    """When to try a failed delivery again, or that it is given up: a day after its event."""
    when = now()
    if when - row.created_at >= RETRY_FOR:
        return {"failed_at": when}
    return {"next_attempt_at": when + backoff(row.attempts + 1)}


def backoff(failures: int) -> timedelta:
    """How long to wait after the n-th failed attempt: FIRST_RETRY doubling, jittered, capped."""
    ceiling = min(FIRST_RETRY * 2 ** min(failures - 1, 20), LONGEST_WAIT)
    return ceiling * random.uniform(0.5, 1)  # jitter, not a secret: random suffices


def _record(row: sa.Row, holder: str | None, **values) -> None:
    """Store an attempt's outcome and free the row; a failure only while this holder's claim.

    A delivery is a fact, recorded whoever holds the claim now; a failure is not recorded
    over another worker's claim (ours expired), whose own attempt then decides.
    """
    values.setdefault("next_attempt_at", None)
    where = DELIVERIES.c.id == row.id
    if holder is not None:
        where &= DELIVERIES.c.claimed_by == holder
    db.session.execute(
        sa.update(DELIVERIES).where(where).values(claimed_by=None, claimed_until=None, **values)
    )
    db.session.commit()


def _release(row: sa.Row, holder: str) -> None:
    """Give a claimed delivery back untried, due as it was, for the next poll."""
    db.session.execute(
        sa.update(DELIVERIES)
        .where(DELIVERIES.c.id == row.id, DELIVERIES.c.claimed_by == holder)
        .values(claimed_by=None, claimed_until=None)
    )
    db.session.commit()


def prune() -> int:
    """Delete deliveries done (sent or given up) over KEEP ago; return how many."""
    done = DELIVERIES.c.next_attempt_at.is_(None) & (DELIVERIES.c.created_at < now() - KEEP)
    deleted = db.session.execute(sa.delete(DELIVERIES).where(done)).rowcount
    db.session.commit()
    return deleted


def recent(site: Site, limit: int = 50) -> list[WebhookDelivery]:
    """The site's latest deliveries, newest first, for the console."""
    query = sa.select(WebhookDelivery).where(WebhookDelivery.site_id == site.id)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def counts(site: Site) -> dict[str, int]:
    """How many of the site's deliveries (of the last KEEP) are waiting, delivered or failed."""
    state = sa.case(
        (DELIVERIES.c.delivered_at.is_not(None), "delivered"),
        (DELIVERIES.c.failed_at.is_not(None), "failed"),
        else_="waiting",
    )
    rows = db.session.execute(
        sa.select(state, sa.func.count()).where(DELIVERIES.c.site_id == site.id).group_by(state)
    )
    return {"waiting": 0, "delivered": 0, "failed": 0, **dict(rows.all())}
