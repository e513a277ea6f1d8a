"""Akismet's protocol at the service's root, so WordPress and every Akismet client moderate
through Moderato unchanged: a checked comment gets the JSON API's validation, rules, scoring,
routing and storage, and a site's Spam / Not Spam reports become its moderators' decisions.

Every answer is plain text, as Akismet's own server gives it (JSON where the WordPress plugin
reads JSON). Anything that keeps a comment from being judged (a bad field, storage down, no
model) answers with an `X-akismet-error` header and a body that is neither `true` nor `false`:
WordPress then holds the comment and checks it again later, and no client can read it as clean.
"""

import re
from datetime import datetime, timedelta

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request

from . import comments, credentials, overturns, ratelimit, rules, sites
from .clock import now
from .db import db
from .errors import Conflict, DomainError, flatten, record_storage_failure
from .schemas import CommentIn
from .tables import Comment, Site, Status

bp = Blueprint("akismet", __name__)

THANKS = "Thanks for making the web a better place."
_KEY = re.compile(rf"[0-9a-f]{{{credentials.AKISMET_KEY_LENGTH}}}")
# Akismet's documented test triggers: a client's own tests get a known answer.
SPAM_TEST_AUTHOR = "akismet-guaranteed-spam"
HAM_TEST_ROLE = "administrator"
# Where an Akismet field is missing, the WordPress field that says the same thing.
_FIELDS = {
    "author_name": ("comment_author",),
    "author_email": ("comment_author_email",),
    "author_url": ("comment_author_url",),
    "content": ("comment_content",),
    "user_ip": ("user_ip", "comment_author_IP"),
    "user_agent": ("user_agent", "comment_agent"),
    "referrer": ("referrer",),
}
# What identifies a post: WordPress's post id, which outlives a changed slug, else its URL.
_POST_FIELDS = ("comment_post_ID", "permalink")
_PLUGIN_HONEYPOT = "POST_ak_hp_textarea"


class Refused(Exception):
    """The request cannot be judged; its message is the answer's body and debug help."""


def _text(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, mimetype="text/plain", headers=headers or {})


def _error(message: str) -> Response:
    """Answer a request that could not be judged: WordPress holds such a comment."""
    header = message.encode("ascii", "replace").decode()  # an error may quote a reader's text
    return _text(message, {"X-akismet-error": header, "X-akismet-debug-help": header})


@bp.errorhandler(Refused)
@bp.errorhandler(DomainError)
def _refused(error: Exception) -> Response:
    return _error(getattr(error, "message", None) or str(error))


@bp.errorhandler(sa.exc.SQLAlchemyError)
def _storage_down(error: sa.exc.SQLAlchemyError) -> Response:
    record_storage_failure(error)
    return _error("Moderato cannot store comments right now; hold it and check again later.")


def _presented_key() -> str:
    """The key as the client sent it: api_key (the plugin), key, or <key>.host (older clients)."""
    key = request.form.get("api_key") or request.form.get("key")
    if key is None:
        label = request.host.partition(".")[0]
        key = label if _KEY.fullmatch(label.lower()) else ""
    return key.strip().lower()


def _site() -> Site | None:
    """The site that owns the presented key, or None; a failure counts against its address."""
    source = request.remote_addr
    ratelimit.refuse_failing_source(source)
    key = _presented_key()
    site = None
    if _KEY.fullmatch(key):
        digest = credentials.akismet_digest(key, current_app.config["SECRET_KEY"])
        site = db.session.scalar(sa.select(Site).where(Site.akismet_key_hash == digest))
    if site is None:
        ratelimit.count_failure(source)
        return None
    ratelimit.charge_site(site.id)
    return site


def _invalid() -> Response:
    """Answer a key no site owns, as Akismet does."""
    help_text = "No site has this Akismet key (flask --app wsgi sites akismet-key)."
    return _text("invalid", {"X-akismet-debug-help": help_text})


def _unslash(text: str) -> str:
    """Undo PHP's addslashes, which WordPress applies to what it sends from a live check."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _first(form, names: tuple[str, ...]) -> str:
    return next((form[name] for name in names if form.get(name) not in (None, "", "0")), "")


def _honeypot(form) -> str | None:
    """What a bot typed into a field no reader sees: the plugin's own, or the site's.

    The site's field arrives under its own name (Akismet's API) or as POST_<name> (the
    WordPress plugin relays every form field so).
    """
    names = [_PLUGIN_HONEYPOT]
    if form.get("honeypot_field_name"):
        names += [form["honeypot_field_name"], f"POST_{form['honeypot_field_name']}"]
    return next((form[name] for name in names if form.get(name)), None)


def comment_from(form, live: bool) -> dict:
    """Read an Akismet request's comment into the JSON API's fields, validated by CommentIn.

    Raises Refused naming the fields that are missing or wrong. Only what serves moderation
    is taken: none of the POST_*, HTTP_* or nonce fields is kept.
    """
    unslash = _unslash if live else str
    data = {ours: unslash(_first(form, theirs)) for ours, theirs in _FIELDS.items()}
    data = {name: value for name, value in data.items() if value}
    data["post_id"] = _first(form, _POST_FIELDS) or form.get("blog", "")
    data["honeypot"] = _honeypot(form)
    try:
        return CommentIn().load(data)
    except ma.ValidationError as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in flatten(error.messages).items())
        raise Refused(f"Invalid comment: {problems}") from None


def _is_wordpress_live_check(form) -> bool:
    """Whether the fields are slashed: a live check from WordPress (a recheck sends its row)."""
    return request.user_agent.string.startswith("WordPress/") and not form.get("recheck_reason")


def _test_trigger(form) -> tuple[rules.Check, ...]:
    """The check that answers Akismet's documented test values, when the request uses one."""
    if form.get("comment_author") == SPAM_TEST_AUTHOR:
        decision = rules.Decision(Status.SPAM, f'Akismet test author "{SPAM_TEST_AUTHOR}"')
    elif form.get("user_role") == HAM_TEST_ROLE:
        decision = rules.Decision(Status.APPROVED, "posted by the site's administrator")
    else:
        return ()
    return (lambda _context: decision,)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


def beyond_doubt(comment: Comment) -> bool:
    """Whether a spam comment may be dropped unseen (X-akismet-pro-tip: discard).

    Only a filled honeypot, a field no reader sees, is proof. No score is: on the project's
    own data even 0.999 would have dropped 11 of 4,827 SMS hams (python -m research.discard).
    """
    return comment.status == Status.SPAM and rules.HONEYPOT_REASON in comment.reasons


def _verdict(comment: Comment, guid: bool = True) -> Response:
    """Answer a checked comment: true when it went to spam, false otherwise, never on a failure."""
    headers = {"X-akismet-guid": str(comment.id)} if guid else {}
    if comment.status == Status.SPAM:
        if beyond_doubt(comment):
            headers["X-akismet-pro-tip"] = "discard"
        return _text("true", headers)
    if comment.spam_score is None:
        message = "Moderato could not score this comment: it is stored, hold it for moderation."
        return _text(message, {**headers, "X-akismet-error": message})
    return _text("false", headers)


@bp.post("/1.1/verify-key")
def verify_key():
    """Say whether the key belongs to a site: `valid` or `invalid`."""
    return _text("valid") if _site() is not None else _invalid()


@bp.post("/1.1/comment-check")
def comment_check():
    """Check a comment: stored, scored and routed like any other; true when it went to spam."""
    site = _site()
    if site is None:
        return _invalid()
    form = request.form
    data = comment_from(form, live=_is_wordpress_live_check(form))
    checks = (*_test_trigger(form), *rules.CHECKS)
    if _truthy(form.get("is_test")):
        return _verdict(comments.route_only(site, data, checks), guid=False)
    stored = comments.find(site, data) if form.get("recheck_reason") else None
    if stored is not None:
        return _verdict(comments.rescore(stored, checks))
    try:
        return _verdict(comments.submit(site, data, checks))
    except Conflict:  # the same comment checked again: answer what was decided of it
        return _verdict(comments.find(site, data))


def via(form) -> str:
    """Name who decided through a client: the site's moderator as the client reports them."""
    reporter = form.get("reporter") or "a moderator"
    client = request.user_agent.string.split(" ")[0] or "an Akismet client"
    return f"{reporter} via {client}"[:200]


def _report(target: Status) -> Response:
    """Record a site's Spam / Not Spam as its moderators' decision on the stored comment."""
    site = _site()
    if site is None:
        return _invalid()
    form = request.form
    data = comment_from(form, live=False)
    stored = comments.find(site, data)
    if stored is None:  # checked before the site switched to Moderato: store it now
        comments.submit(site, data, screen=False)
        stored = comments.find(site, data)
    comments.decide_through_client(stored, target, via(form))
    return _text(THANKS)


@bp.post("/1.1/submit-spam")
def submit_spam():
    """Record that a stored comment is spam (stored now, if it was never checked)."""
    return _report(Status.SPAM)


@bp.post("/1.1/submit-ham")
def submit_ham():
    """Record that a stored comment is not spam: approved, a reader's comment."""
    return _report(Status.APPROVED)


# The periods of get-stats, as the WordPress plugin asks for them.
_PERIODS = {"6-months": timedelta(days=183), "60-days": timedelta(days=60), "all": None}


@bp.post("/1.1/get-stats")
def get_stats():
    """The site's figures for the plugin's settings page, from this service's records."""
    site = _site()
    if site is None:
        return _invalid()
    period = _PERIODS.get(request.form.get("from", "all"))
    return stats(site, now() - period if period else None)


def stats(site: Site, since: datetime | None) -> dict:
    """Count a site's comments as Akismet's get-stats does: caught, passed, and the misses."""
    query = sa.select(Comment.status, sa.func.count()).where(Comment.site_id == site.id)
    if since is not None:
        query = query.where(Comment.created_at >= since)
    counts = dict(db.session.execute(query.group_by(Comment.status)).all())
    verdicts = overturns.verdicts({site.id: sites.thresholds(sites.settings_of(site))}, since)
    decided = sum(verdicts.values())
    missed, false_positives = verdicts["ham", "spam"], verdicts["spam", "ham"]
    right = decided - missed - false_positives
    return {
        "spam": counts.get(Status.SPAM, 0),
        "ham": sum(count for status, count in counts.items() if status != Status.SPAM),
        "missed_spam": missed,
        "false_positives": false_positives,
        "accuracy": round(100 * right / decided, 2) if decided else 100.0,
    }


@bp.post("/1.1/get-subscription")
def get_subscription():
    """Describe the site's 'subscription' as the plugin's settings page reads it."""
    site = _site()
    if site is None:
        return _invalid()
    return {
        "account_id": site.id,
        "account_name": site.name,
        "account_type": "self-hosted",
        "status": "active",
        "next_billing_date": None,
        "limit_reached": False,
    }


@bp.post("/1.2/usage-limit")
def usage_limit():
    """Say the site has no usage limit, with how many comments it sent this month."""
    site = _site()
    if site is None:
        return _invalid()
    month = now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    usage = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.site_id == site.id, Comment.created_at >= month)
    )
    return {"limit": "none", "usage": usage, "percentage": "0", "throttled": False}


@bp.get("/1.1/test")
def test():
    """Answer the plugin's connectivity test."""
    return _text("connected")
