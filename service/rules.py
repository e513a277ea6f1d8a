"""Routing: an ordered chain of small checks, each giving a reason a person can read.

Every check that fires adds its reason; the first one in the chain that names a
status decides. The order is the precedence: spam evidence (honeypot, blocklists,
disallowed words), then the allowlist, then the classifier's spam verdict, then the
hold rules, and last the trusted-commenter rule, which approves only when nothing
before it decided. Refusals (closed post, duplicate, flood) happen before routing.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import addresses
from .normalize import word_list
from .scoring import Score
from .settings import DEFAULTS, Settings
from .tables import Status


@dataclass(frozen=True)
class Decision:
    """A check's verdict: where the comment goes (None: no opinion) and why."""

    status: Status | None
    reason: str


@dataclass(frozen=True)
class Context:
    """What the checks may look at: the comment, its score, the site's settings, its author."""

    score: Score
    spam_threshold: float | None
    settings: Settings = DEFAULTS
    comment: Mapping[str, Any] = field(default_factory=dict)
    # Whether the author's email has an approved comment on this site under the
    # same name: a query, so it is asked only when the trusted rule needs it.
    previously_approved: Callable[[], bool] = lambda: False
    # When the comment was submitted, to compare with when its form was rendered.
    now: datetime | None = None


Check = Callable[[Context], Decision | None]

# The fields word lists are matched against, with the names reasons give them.
WORD_FIELDS = {
    "content": "content",
    "author_name": "name",
    "author_email": "email",
    "author_url": "website",
    "user_ip": "IP",
    "user_agent": "user agent",
}

_LINK = re.compile(r"https?://|(?<![\w./])www\.", re.IGNORECASE)


HONEYPOT_REASON = "honeypot field was filled in"


def honeypot_check(context: Context) -> Decision | None:
    """Send a comment to spam when the form's hidden field was filled in."""
    if context.comment.get("honeypot"):
        return Decision(Status.SPAM, HONEYPOT_REASON)
    return None


def blocked_email_domain_check(context: Context) -> Decision | None:
    """Send a comment to spam when its email domain, or a parent domain, is blocked."""
    domain = context.comment.get("author_email", "").rpartition("@")[2].lower()
    for blocked in context.settings.blocked_email_domains:
        if domain == blocked or domain.endswith(f".{blocked}"):
            return Decision(Status.SPAM, f'email domain "{blocked}" is blocked')
    return None


def blocked_ip_check(context: Context) -> Decision | None:
    """Send a comment to spam when the reader's IP is blocked or in a blocked range."""
    ip = context.comment.get("user_ip")
    if not ip or not context.settings.blocked_ips:
        return None
    # Both sides canonical: a comment stored before addresses were may be spelled otherwise.
    address = addresses.parse(ip)
    for blocked in context.settings.blocked_ips:
        if address in addresses.parse_network(blocked):
            where = "is blocked" if "/" not in blocked else f"is in blocked range {blocked}"
            return Decision(Status.SPAM, f"IP {address} {where}")
    return None


def _word_check(context: Context, words: tuple[str, ...], status: Status, kind: str):
    """Decide `status` when one of the words appears in any matched field."""
    if not words:
        return None
    matcher = word_list(words)
    for name, label in WORD_FIELDS.items():
        word = matcher.find(context.comment.get(name))
        if word is not None:
            return Decision(status, f'matched {kind} "{word}" in {label}')
    return None


def disallowed_words_check(context: Context) -> Decision | None:
    """Send a comment to spam when it contains a disallowed word."""
    return _word_check(context, context.settings.disallowed_words, Status.SPAM, "disallowed word")


def allowlist_check(context: Context) -> Decision | None:
    """Approve a comment whose author's email is on the site's allowlist."""
    email = context.comment.get("author_email", "")
    if email.casefold() in (allowed.casefold() for allowed in context.settings.allowed_authors):
        return Decision(Status.APPROVED, f'author "{email}" is on the allowlist')
    return None


def classifier_check(context: Context) -> Decision | None:
    """Send a comment to spam when its score reaches the threshold."""
    score, threshold = context.score.value, context.spam_threshold
    if score is None or threshold is None:
        return Decision(None, "unscored")
    if score >= threshold:
        return Decision(Status.SPAM, f"score {score:.2f} >= spam threshold {threshold:.2f}")
    return Decision(None, f"score {score:.2f} < spam threshold {threshold:.2f}")


def links_check(context: Context) -> Decision | None:
    """Hold a comment with more links than the site allows."""
    limit = context.settings.max_links
    count = len(_LINK.findall(context.comment.get("content", "")))
    if limit is not None and count > limit:
        return Decision(Status.PENDING, f"{count} links > max {limit}")
    return None


def moderation_words_check(context: Context) -> Decision | None:
    """Hold a comment that contains a moderation word."""
    return _word_check(
        context, context.settings.moderation_words, Status.PENDING, "moderation word"
    )


def submit_time_check(context: Context) -> Decision | None:
    """Hold a comment submitted faster after its form was rendered than a person types.

    Held rather than spammed: the form time comes from the site's clock, which
    may drift from ours, and a real reader must not vanish into the spam folder.
    """
    rendered, minimum = context.comment.get("form_rendered_at"), context.settings.min_submit_seconds
    if rendered is None or context.now is None or not minimum:
        return None
    elapsed = (context.now - rendered).total_seconds()
    if elapsed < minimum:
        return Decision(
            Status.PENDING,
            f"submitted {elapsed:.1f} s after the form was rendered < minimum {minimum:g} s",
        )
    return None


def trusted_check(context: Context) -> Decision | None:
    """Approve a low-scored comment from a trusted author; never an unscored one."""
    mode, score = context.settings.trusted, context.score.value
    ham_threshold = context.settings.ham_threshold
    if mode == "off" or score is None or score >= ham_threshold:
        return None
    low = f"score {score:.2f} < ham threshold {ham_threshold:.2f}"
    if mode == "below_ham_threshold":
        return Decision(Status.APPROVED, low)
    if context.previously_approved():
        return Decision(Status.APPROVED, f"author previously approved, {low}")
    return None


CHECKS: tuple[Check, ...] = (
    honeypot_check,
    blocked_email_domain_check,
    blocked_ip_check,
    disallowed_words_check,
    allowlist_check,
    classifier_check,
    links_check,
    moderation_words_check,
    submit_time_check,
    trusted_check,
)


def route(context: Context, checks: tuple[Check, ...] = CHECKS) -> tuple[Status, list[str]]:
    """Run every check; the first that names a status decides, every reason is kept."""
    decisions = [d for d in (check(context) for check in checks) if d is not None]
    status = next((d.status for d in decisions if d.status is not None), Status.PENDING)
    return status, [d.reason for d in decisions]
