"""Turn records into model inputs: the record frame and the signals beyond the words."""

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from model import text
from model.corpora import RECORD_FIELDS

# Column positions in the record frame that the ColumnTransformer selects from.
CONTENT, AUTHOR_NAME, AUTHOR_EMAIL, AUTHOR_URL, POST_ID = range(len(RECORD_FIELDS))
PROFILE = [CONTENT, AUTHOR_NAME, AUTHOR_EMAIL, AUTHOR_URL]
# The model reads the first MAX_CHARS characters of a comment, in training and in serving
# alike. 99.7 % of the YouTube comments are shorter (the longest is 1,064), the spam evidence of
# a long comment (the pitch, the link) is in its opening, and the cap bounds the cost of one
# score: a 50 kB paste costs what a 1,000-character comment does.
MAX_CHARS = 1000

_NAME_KEYWORDS = re.compile(
    r"free|cash|money|loan|casino|bet|sex|xxx|porn|viagra|cialis|pharm|seo|promo|deal|"
    r"discount|cheap|crypto|bitcoin|forex|earn|subscribe|follow|click|win",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_RUN = re.compile(r"(.)\1{2,}")
_UPPER_WORD = re.compile(r"\b[A-Z]{3,}\b")
_MIXED = re.compile(r"\b(?=\w*[a-z])(?=\w*\d)\w+\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def record_row(record: Mapping) -> list[str]:
    """Return one record's cleaned content then its stripped profile fields, "" when absent."""
    return [text.clean(record.get("content"))[:MAX_CHARS]] + [
        (record.get(key) or "").strip() for key in RECORD_FIELDS[1:]
    ]


def record_frame(records: Iterable[Mapping]) -> np.ndarray:
    """Return an object array with one record_row per record."""
    rows = [record_row(record) for record in records]
    return np.array(rows, dtype=object).reshape(len(rows), len(RECORD_FIELDS))


def _has_link(value: str) -> bool:
    """Tell whether a value holds something that looks like a link."""
    return bool(text.LINK.search(value))


def _mixed(content: str) -> int:
    """Count the words with both a letter and a digit; a text without a digit has none, which
    one C scan tells (the lookaheads of _MIXED cost several times that)."""
    return len(_MIXED.findall(content)) if _DIGIT.search(content) else 0


def signals(content: str, name: str, email: str, url: str) -> list[float]:
    """Return the dense signals of one cleaned record; an absent field contributes zeros."""
    found = text.links(content)
    domains = {text.domain_of(link) for link in found}
    site = text.domain_of(url) if url else ""
    letters = sum(map(str.isalpha, content))
    words = _WORD.findall(content)
    longest_run = max((len(match.group(0)) for match in _RUN.finditer(content)), default=0)
    email_host = text.email_domain(email)
    local = email.split("@", 1)[0] if email_host else ""
    return [
        math.log1p(len(found)),
        math.log1p(len(domains)),
        float(any(domain in text.SHORTENERS for domain in domains)),
        float("@" in content and bool(text.EMAIL.search(content))),
        float(bool(site)),
        float(site in text.SHORTENERS),
        float(bool(site) and site in domains),
        float(bool(email_host) and email_host in domains),
        sum(map(str.isdigit, local)) / len(local) if local else 0.0,
        float(_has_link(name)),
        float(bool(_NAME_KEYWORDS.search(name))),
        sum(map(str.isdigit, name)) / len(name) if name else 0.0,
        math.log1p(len(content)) / 8.0,
        sum(map(str.isupper, content)) / letters if letters else 0.0,
        len(_UPPER_WORD.findall(content)) / len(words) if words else 0.0,
        min(longest_run, 10) / 10.0,
        _mixed(content) / len(words) if words else 0.0,
        min(content.count("!"), 10) / 10.0,
    ]


SIGNAL_NAMES = (
    "links",
    "link_domains",
    "shortener",
    "email_in_text",
    "website_given",
    "website_shortener",
    "website_linked",
    "email_domain_linked",
    "email_digits",
    "name_has_link",
    "name_keyword",
    "name_digits",
    "length",
    "upper_ratio",
    "shouting_words",
    "repeated_chars",
    "letter_digit_words",
    "exclamations",
)


# Calls to action of comment spam, written from what comment spam asks of readers on any
# platform (subscribe, share, follow me / add me, watch my…, visit / click) and its talk of
# audience numbers (views, subscribers, likes), not from any one video's errors. Each is a 0/1
# presence in the lower-cased content. Nine further families were measured and left out because
# they cost a held-out video MCC or moved nothing (docs/model.md): like-bait, "check out",
# "please", "my channel/video", "if you", money, help/support, "this comment", channel talk.
# Each family is (words one of which any match contains, pattern): the plain substring test
# skips the regular expression for most comments (10 µs instead of 100 µs a comment).
CALL_TO_ACTION = {
    "asks_subscribe": (
        ("sub",),
        r"\bsub(scribe|scribed|scribing|scriber|s)?\b|\bsub ?4 ?sub\b|\bsubs?crib",
    ),
    "asks_share": (("share", "spread", "repost"), r"\bshare\b|\bspread\b|\brepost\b"),
    "asks_follow": (("follow", "add me"), r"\bfollow (me|my|us|him|her)\b|\badd me\b|\bfollow\b"),
    "audience_counts": (
        ("views", "viewers", "subs", "likes", "followers", "hits"),
        r"\b(views|viewers|subscribers|subs|likes|followers|hits)\b",
    ),
    "watch_my": (
        ("watch", "see", "view", "listen", "look"),
        r"\b(watch|see|view|listen to|look at|take a look at) (my|our|this|these|the new)\b",
    ),
    "visit_click": (
        ("visit", "click", "go", "head over", "tap"),
        r"\b(visit|click|go to|goto|head over|tap)\b",
    ),
}
CALL_TO_ACTION_NAMES = tuple(CALL_TO_ACTION)
_CALLS = tuple((words, re.compile(pattern)) for words, pattern in CALL_TO_ACTION.values())


def calls_to_action(content: str) -> list[float]:
    """Return, for each call-to-action family, whether the cleaned content has one (0 or 1)."""
    low = content.lower()
    return [
        1.0 if any(word in low for word in words) and pattern.search(low) else 0.0
        for words, pattern in _CALLS
    ]


def meta_tokens(content: str, email: str, url: str) -> dict[str, float]:
    """Return the categorical tokens of one cleaned record: linked, email and website domains."""
    tokens = {f"link={text.domain_of(link)}": 1.0 for link in text.links(content)}
    if email_host := text.email_domain(email):
        tokens[f"email={email_host}"] = 1.0
        tokens[f"email_tld={email_host.rsplit('.', 1)[-1]}"] = 1.0
    if url and (site := text.domain_of(url)):
        tokens[f"website_tld={site.rsplit('.', 1)[-1]}"] = 1.0
    return tokens


class Signals(TransformerMixin, BaseEstimator):
    """Compute the dense, bounded signals of each row of the profile columns."""

    def fit(self, X, y=None):
        """Learn nothing: every signal is a fixed function of its row."""
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Return one row of signals per record."""
        return np.array([signals(*row) for row in X], dtype=float).reshape(
            len(X), len(SIGNAL_NAMES)
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Name each signal."""
        return np.array(SIGNAL_NAMES, dtype=object)


class MetaTokens(TransformerMixin, BaseEstimator):
    """Map the linked, email and website domains of each row to token dictionaries."""

    def fit(self, X, y=None):
        """Learn nothing: tokens are a fixed function of their row."""
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X) -> list[dict[str, float]]:
        """Return one token dictionary per record (content, email, website columns)."""
        return [meta_tokens(content, email, url) for content, email, url in X]


class CallsToAction(TransformerMixin, BaseEstimator):
    """Flag the call-to-action families (CALL_TO_ACTION) in the content column."""

    def fit(self, X, y=None):
        """Learn nothing: every flag is a fixed function of its row."""
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Return one row of 0/1 flags per record."""
        return np.array([calls_to_action(row[0]) for row in X], dtype=float).reshape(
            len(X), len(CALL_TO_ACTION_NAMES)
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Name each flag."""
        return np.array(CALL_TO_ACTION_NAMES, dtype=object)
