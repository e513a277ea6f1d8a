"""Template filters that turn hostile reader input into safe, readable HTML."""

import re
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup, escape

# Matched on already-escaped text: "&" only appears as an entity, so "&amp;" may be
# part of a URL while "&lt;", "&#34;" and "&#39;" (from < " ') end it.
_URL = re.compile(r"https?://(?:[^\s&]|&amp;)+", re.IGNORECASE)
_TRAILING = ".,;:!?)]"


def _link(match: re.Match) -> str:
    url = match.group(0)
    trail = ""
    while url and url[-1] in _TRAILING:
        url, trail = url[:-1], url[-1] + trail
    return f'<a href="{url}" rel="nofollow ugc noopener" class="content-link">{url}</a>{trail}'


def linkify(text: str) -> Markup:
    """Escape text, then turn its http(s) URLs into links; nothing else becomes markup."""
    return Markup(_URL.sub(_link, str(escape(text))))


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: javascript: and friends never become links."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def score_band(score: float | None, threshold: float | None) -> tuple[str, str]:
    """A CSS class and a word for a spam score, so the badge never relies on colour alone."""
    if score is None:
        return "unscored", "unscored"
    if threshold is not None and score >= threshold:
        return "high", "spam"
    if score >= 0.5:
        return "medium", "suspect"
    return "low", "likely ok"


def when(moment: datetime) -> str:
    """A short UTC timestamp for lists, e.g. "27 Nov 09:05"."""
    return moment.strftime("%d %b %H:%M")


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(linkify=linkify, safe_url=safe_url, when=when)
    app.jinja_env.globals["score_band"] = score_band
