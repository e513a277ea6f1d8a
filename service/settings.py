"""Per-site moderation settings: the schema that validates, documents and dumps them."""

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma

from . import addresses
from .schemas import Email, Strict, Text

TRUSTED_MODES = ("off", "previously_approved", "below_ham_threshold")
MODERATION_PLACES = ("moderato", "client")
# What a site's webhook endpoint may subscribe to (service.webhooks says when each fires).
WEBHOOK_EVENTS = ("comment.published", "comment.unpublished", "comment.spam")
MAX_WEBHOOKS = 10
MAX_WEBHOOK_URL = 2000


@dataclass(frozen=True)
class Webhook:
    """An endpoint of the site's and the events it is sent (WebhookSchema documents both)."""

    url: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """A site's moderation settings in force; SiteSettings documents each one."""

    max_links: int | None
    moderation_words: tuple[str, ...]
    disallowed_words: tuple[str, ...]
    trusted: str
    ham_threshold: float
    spam_threshold: float | None
    flood_per_minute: int | None
    flood_interval_seconds: int
    min_submit_seconds: float
    close_after_days: int | None
    closed_posts: tuple[str, ...]
    blocked_email_domains: tuple[str, ...]
    blocked_ips: tuple[str, ...]
    allowed_authors: tuple[str, ...]
    cors_origins: tuple[str, ...]
    thread_depth: int
    moderated_in: str
    webhooks: tuple[Webhook, ...]


class Network(ma.fields.String):
    """An IP address or CIDR range, kept in its canonical form ("203.0.113.0/24")."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            network = addresses.parse_network(text.strip())
        except ValueError:
            raise ma.ValidationError("Not a valid IP address or CIDR range.") from None
        single = network.num_addresses == 1
        return str(network.network_address) if single else str(network)


class Origin(Text):
    """A browser origin, scheme://host[:port], in lower case and without a path."""

    def _deserialize(self, value, attr, data, **kwargs):
        origin = super()._deserialize(value, attr, data, **kwargs).strip().rstrip("/").lower()
        scheme, _, host = origin.partition("://")
        if scheme not in ("http", "https") or not host or "/" in host or "@" in host:
            raise ma.ValidationError("Not a valid origin: scheme://host[:port], no path.")
        return origin


class Domain(Text):
    """An email domain, lower-cased, without a leading "@"."""

    def _deserialize(self, value, attr, data, **kwargs):
        domain = super()._deserialize(value, attr, data, **kwargs).strip().lstrip("@").lower()
        if not domain or any(c.isspace() or c == "@" for c in domain):
            raise ma.ValidationError("Not a valid email domain.")
        return domain


class WebhookUrl(Text):
    """An endpoint's URL: https, or http to this machine (loopback) for development only."""

    def _deserialize(self, value, attr, data, **kwargs):
        url = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(url) > MAX_WEBHOOK_URL:
            raise ma.ValidationError(f"Longer than {MAX_WEBHOOK_URL} characters.")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 -- read for its check: a port that is not a number raises
        except ValueError:
            raise ma.ValidationError("Not a valid URL.") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ma.ValidationError("Not a valid URL: https://host/path expected.")
        if parts.username is not None or parts.password is not None:
            # The URL is shown in the console and logs: a password in it would leak there.
            raise ma.ValidationError("No user or password in the URL; the signature proves us.")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ma.ValidationError(
                "Must be https: plain http only to this machine (localhost, 127.0.0.1, ::1), "
                "for development."
            )
        return url


def _loopback(host: str) -> bool:
    """Say whether a URL's host is this machine: localhost, or a loopback address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


class WebhookSchema(Strict):
    """One endpoint: where to POST, and which events it wants."""

    url = WebhookUrl(required=True, metadata={"description": "Where to POST each event."})
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(WEBHOOK_EVENTS)),
        required=True,
        validate=ma.validate.Length(min=1, error="Choose at least one event."),
        metadata={"description": f"Events sent to it, of: {', '.join(WEBHOOK_EVENTS)}."},
    )

    @ma.post_load
    def _webhook(self, data, **kwargs) -> Webhook:
        return Webhook(data["url"], tuple(dict.fromkeys(data["events"])))  # once each, in order


class Whole(ma.fields.Nested):
    """A nested object validated in full even by a change: a change replaces it whole."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        return super()._deserialize(value, attr, data, partial=False, **kwargs)


def _one_per_url(webhooks: list[Webhook]) -> None:
    """Refuse the same URL listed twice: its events belong in one entry."""
    urls = [webhook.url for webhook in webhooks]
    twice = sorted({url for url in urls if urls.count(url) > 1})
    if twice:
        raise ma.ValidationError(f"Listed twice (put its events in one entry): {', '.join(twice)}")


def _list(item: ma.fields.Field, description: str, longest: int = 10_000) -> ma.fields.List:
    """A list setting, empty by default, of at most `longest` items."""
    return ma.fields.List(
        item,
        load_default=list,
        validate=ma.validate.Length(max=longest),
        metadata={"description": description},
    )


def _words(description: str) -> ma.fields.List:
    """A list of words or phrases to match."""
    return _list(Text(strip=True, validate=ma.validate.Length(1, 100)), description, 1000)


class SiteSettings(Strict):
    """A site's moderation rules; every key is optional and has a documented default."""

    max_links = ma.fields.Integer(
        load_default=2,
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(0, 1000),
        metadata={"description": "Hold a comment with more links than this; null: no limit."},
    )
    moderation_words = _words(
        "Hold a comment containing one of these words (content, name, email, website, IP, "
        "user agent), matched on word boundaries after Unicode and look-alike folding."
    )
    disallowed_words = _words("Like moderation_words, but send the comment to spam.")
    trusted = ma.fields.String(
        load_default="previously_approved",
        validate=ma.validate.OneOf(TRUSTED_MODES),
        metadata={
            "description": "Who is approved without review when the score is below "
            "ham_threshold: nobody (off), authors whose email has an approved comment under "
            "the same name (previously_approved), or everyone (below_ham_threshold)."
        },
    )
    ham_threshold = ma.fields.Float(
        load_default=0.2,
        validate=ma.validate.Range(0, 1),
        metadata={"description": "Score below which the trusted rule may approve."},
    )
    spam_threshold = ma.fields.Float(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(0, 1),
        metadata={
            "description": "Score at or above which a comment goes to spam on this site; "
            "null: the service's threshold (SPAM_THRESHOLD, else the model's own)."
        },
    )
    flood_per_minute = ma.fields.Integer(
        load_default=4,
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(1, 10_000),
        metadata={
            "description": "Stored comments a reader (by IP, an IPv6 reader by its /64, and "
            "by email) may post per minute; more get 429 with Retry-After. null: no limit."
        },
    )
    flood_interval_seconds = ma.fields.Integer(
        load_default=15,
        strict=True,
        validate=ma.validate.Range(min=0, max=86_400),
        metadata={
            "description": "Seconds a reader (counted as for flood_per_minute) must wait "
            "after a stored comment before the next, as WordPress's 15; sooner gets 429 "
            "with Retry-After. 0: no wait."
        },
    )
    min_submit_seconds = ma.fields.Float(
        load_default=3.0,
        validate=ma.validate.Range(0, 3600),
        metadata={
            "description": "Hold a comment submitted sooner than this after its form was "
            "rendered (form_rendered_at); 0: off."
        },
    )
    close_after_days = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(1, 36_500),
        metadata={"description": "Close a post this many days after its first comment."},
    )
    closed_posts = _list(
        Text(validate=ma.validate.Length(1, 200)), "Posts closed to new comments (403)."
    )
    blocked_email_domains = _list(
        Domain(), "Send comments from these email domains (and their subdomains) to spam."
    )
    blocked_ips = _list(Network(), "Send comments from these IPs or CIDR ranges to spam.")
    allowed_authors = _list(
        Email(strip=True), "Approve these authors' comments (by email) unless a spam rule fires."
    )
    cors_origins = _list(
        Origin(),
        "Browser origins allowed to read this site's published comments (CORS); none by default.",
        100,
    )

    thread_depth = ma.fields.Integer(
        load_default=5,
        strict=True,
        validate=ma.validate.Range(1, 10),
        metadata={
            "description": "Levels of replies a thread shows, the top level included (as "
            "WordPress's thread_comments_depth, default 5); a reply to a comment at the "
            "deepest level is attached to that comment's parent. 1: no replies, a flat thread."
        },
    )

    moderated_in = ma.fields.String(
        load_default="moderato",
        validate=ma.validate.OneOf(MODERATION_PLACES),
        metadata={
            "description": "Where this site's held comments are decided: in Moderato's queue "
            "(moderato), or in the site's own tool, e.g. WordPress with its Akismet plugin "
            "(client), whose Spam / Not Spam reach Moderato as decisions; such a site's "
            "pending comments then stay out of Moderato's queue, so none is decided twice."
        },
    )

    webhooks = ma.fields.List(
        Whole(WebhookSchema),
        load_default=list,
        validate=(ma.validate.Length(max=MAX_WEBHOOKS), _one_per_url),
        metadata={
            "description": "Endpoints of the site's to call when its comments change, as "
            '[{"url": "https://news.example/hooks/moderato", "events": ["comment.published"]}]. '
            "Events: comment.published (a comment became visible to readers), "
            "comment.unpublished (a published comment was taken down) and comment.spam "
            "(a comment was marked as spam). Each call is a JSON POST of the event and the "
            "comment as readers see it (never an email or IP), signed in the "
            "X-Moderato-Signature header with the site's webhook secret (flask --app wsgi "
            f"sites webhook-secret NAME). At most {MAX_WEBHOOKS} endpoints, each https (plain "
            "http only to localhost, for development), each URL listed once; a failed call "
            "is retried for a day. Removing an endpoint stops its pending deliveries."
        },
    )

    @ma.post_load
    def _settings(self, data, *, partial, **kwargs) -> Settings | dict:
        """Build Settings from a full load; a partial load (a change) stays a dict."""
        if partial:
            return data
        return Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class SiteSettingsChange(SiteSettings):
    """A change to some of a site's settings: only the keys given are validated."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


_SCHEMA = SiteSettings()
_CHANGES = SiteSettingsChange()


def load(data: dict[str, Any]) -> Settings:
    """Validate settings (ma.ValidationError if invalid), filling in defaults."""
    return _SCHEMA.load(data)


def load_changes(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a change to some settings (ma.ValidationError if invalid)."""
    return _CHANGES.load(data)


def dump(settings: Settings | dict[str, Any]) -> dict[str, Any]:
    """Settings, or a validated change to them, as JSON-ready data."""
    return _SCHEMA.dump(settings)


DEFAULTS = load({})
