"""Normalise comment text and pull out the links, domains and names in it."""

import html
import re
from functools import lru_cache

# Zero-width characters and the BOM that the YouTube API appends to most comments: they
# carry no meaning and, left in, would let the model learn which corpus a text came from.
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v]+")

# A link is either an explicit URL or a bare host with a common top-level domain; spammers
# drop the scheme ("murdev.com") far more often than they write one.
_TLDS = (
    "com|net|org|info|biz|ru|io|co|me|tv|ly|gl|be|us|uk|de|in|cc|to|xyz|online|site|club|"
    "top|ws|su|pl|fr|es|it|nl|br|kz|cn|jp|ca|au"
)
LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# What every LINK match contains (a scheme, "www." or a dot before a top-level domain's first
# letter, case folded as LINK folds it): a text without one has no link, found in one C scan
# instead of LINK's attempt at every word.
_LINK_HINT = re.compile(r"://|www\.|\.[a-z]", re.IGNORECASE)

SHORTENERS = frozenset(
    [
        "bit.ly",
        "goo.gl",
        "tinyurl.com",
        "t.co",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "adf.ly",
        "tiny.cc",
        "bit.do",
        "cutt.ly",
        "rebrand.ly",
        "shorte.st",
        "shhort.com",
        "v.gd",
        "qr.net",
        "lnkd.in",
        "db.tt",
        "j.mp",
        "su.pr",
        "x.co",
    ]
)


def clean(text: str | None) -> str:
    """Return the text a reader sees: entities decoded, markup dropped, spacing tidied."""
    if not text:
        return ""
    text = _BREAK.sub("\n", text)
    text = _TAG.sub(" ", text)
    # Twice, because some sources escape an already escaped entity ("&amp;#39;").
    text = html.unescape(html.unescape(text))
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines()).strip()


def domain_of(link: str) -> str:
    """Return the lower-case host of a link, without scheme, port or a leading www."""
    host = re.sub(r"^[a-z]+://", "", link.lower()).split("/", 1)[0].split("?", 1)[0]
    host = host.split("@")[-1].split(":", 1)[0].rstrip(".")
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=256)
def links(text: str) -> tuple[str, ...]:
    """Return the links in a text, in order (cached: several signals ask for one text)."""
    return tuple(LINK.findall(text)) if _LINK_HINT.search(text) else ()


def email_domain(address: str | None) -> str:
    """Return the lower-case domain of an email address, or "" when there is none."""
    if not address or "@" not in address:
        return ""
    return address.rsplit("@", 1)[1].strip().lower().rstrip(".")
