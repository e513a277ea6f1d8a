"""Campaigns: near-duplicate comments (one pitch in other words, names, links and addresses).

A comment's text becomes a set of word pairs, after folding (service.normalize) and after
links, email addresses, @handles, numbers and names (two or more capitalised words in a row)
are replaced by one placeholder each, so "WhatsApp +1 (902) 421-7915" and "WhatsApp
+44 7700 900123" read alike. Two comments are alike when their sets share at least
MIN_SHARED pairs and their Jaccard similarity reaches THRESHOLD; a campaign is every comment
linked to another by that, in one site.

Finding the comments like a new one among millions without comparing it to each is what
MinHash with locality-sensitive hashing does: datasketch (a maintained, numpy-backed library)
gives the signature and chooses the LSH bands for the threshold. Each band of a comment's
signature is stored as one row of campaign_buckets when it is submitted; a new comment reads
the newest comments of its buckets (bounded), compares the most promising few exactly, and
joins their campaign, founding it with them or merging the campaigns it bridges. The state
lives in the database, so every worker on every host groups alike. Why these numbers, as
measured on the project's data: docs/model.md, "Campaigns" (`python -m research.campaign_groups`).
"""

import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from sqlalchemy import orm

from . import access
from .db import db
from .normalize import normalize
from .tables import CampaignBucket, Comment, Moderator, Status

# Word pairs two comments must share, as a share of all they use (Jaccard) and as a count.
# Readers reached 0.083 with a campaign's wordings, and each wording at least 0.136 with its
# nearest other wording, over 20 runs of research.campaign_groups (docs/model.md).
THRESHOLD = 0.12
MIN_SHARED = 4
# A comment of fewer words is never grouped: "Thank you!" from two readers is no campaign.
MIN_WORDS = 6
# Permutations of the signature. The bands are datasketch's optimum for THRESHOLD, weighting a
# missed pair four times a false one: a false candidate costs one exact comparison, a missed
# one a comment left out of its campaign. At 16 permutations that is 16 bands of one row each.
NUM_PERM = 16
_LSH = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=(0.2, 0.8))
BANDS: tuple[tuple[int, int], ...] = tuple(_LSH.hashranges)
# Bounded work per submission: the newest comments read from each bucket, and how many of the
# candidates (those sharing the most buckets) are compared exactly.
PER_BUCKET = 16
COMPARED = 8
# Mixed into every bucket key, so that a change of tokens, permutations or bands starts new
# buckets instead of matching old ones wrongly. The permutations (seed, scheme) are fixed: a
# signature must come out the same in every process, on every host, after every restart.
SCHEME = b"campaigns-1"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations
_FMIX32 = ((np.uint32(16), np.uint32(0x85EBCA6B)), (np.uint32(13), np.uint32(0xC2B2AE35)))

_APOSTROPHES = "'\N{RIGHT SINGLE QUOTATION MARK}"
# What each kind of token looks like, tried in this order at each place in a text.
_KINDS = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "link": r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,24}\b(?:/\S*)?",
    "handle": r"@\w+",
    "number": r"[+$£€]?\d(?:[\d().,/:-]|\s(?=[\d(]))*\d%?|[+$£€]?\d%?",
    "word": rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)*",
}
# An email address or a handle holds an "@"; a link "://", "www." or a dot before a letter.
_MAY_LINK = re.compile(r"://|www\.|\.[^\W\d_]", re.IGNORECASE)
# The token pattern by (may hold an email or handle, may hold a link): without the kinds a
# text cannot hold it matches exactly as the whole pattern does (a kind that matches nowhere
# never comes first), and most comments hold neither; trying those kinds at every word was
# most of tokenising's time.
_TOKENS = {
    (at, link): re.compile(
        "|".join(
            f"(?P<{kind}>{pattern})"
            for kind, pattern in _KINDS.items()
            if (at or kind not in ("email", "handle")) and (link or kind != "link")
        ),
        re.IGNORECASE,
    )
    for at in (False, True)
    for link in (False, True)
}
_PLACEHOLDERS = {kind: f"<{kind}>" for kind in _KINDS if kind != "word"}


class Token(NamedTuple):
    """A word as compared (folded), or a placeholder such as "<link>", and where it stands."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return not self.text.startswith("<")


@functools.lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """A word folded as service.normalize folds text, one apostrophe for both; cached, as
    readers reuse their words."""
    return normalize(word).replace(_APOSTROPHES[1], "'")


def tokens(text: str) -> list[Token]:
    """Split text into folded words and placeholders, names and repeats run together.

    A name is two or more capitalised words in a row ("Agent Rachel Moore"; "I", "A" and
    "I'm" start none); a run of one kind of placeholder ("+1 (902) 421-7915 / 555 0100")
    is one placeholder.
    """
    found: list[Token] = []
    run: list[Token] = []  # capitalised words in a row
    pattern = _TOKENS["@" in text, _MAY_LINK.search(text) is not None]
    for match in pattern.finditer(text):
        kind, word, (start, end) = match.lastgroup, match.group(), match.span()
        if kind == "word" and len(word) > 1 and word[0].isupper() and word[1] not in _APOSTROPHES:
            if run and text[run[-1].end : start].strip():
                _end_run(found, run)
            run.append(Token(_fold(word), start, end))
            continue
        if run:
            _end_run(found, run)
        if kind == "word":
            found.append(Token(_fold(word), start, end))
        elif found and found[-1].text == _PLACEHOLDERS[kind]:
            found[-1] = found[-1]._replace(end=end)
        else:
            found.append(Token(_PLACEHOLDERS[kind], start, end))
    if run:
        _end_run(found, run)
    return found


def _end_run(found: list[Token], run: list[Token]) -> None:
    """Add a run of capitalised words to the tokens: one "<name>" if two or more."""
    if len(run) > 1:
        found.append(Token("<name>", run[0].start, run[-1].end))
    else:
        found.extend(run)
    run.clear()


def pairs(words: Sequence[Token]) -> set[str]:
    """The word pairs (shingles of two) of a token list."""
    return {f"{a.text} {b.text}" for a, b in itertools.pairwise(words)}


@functools.lru_cache(maxsize=4096)
def shingles(text: str) -> frozenset[str] | None:
    """A comment's word pairs, or None when it has too few words to be grouped.

    Cached: a campaign's newest comments are compared with each new one as it comes.
    """
    words = tokens(text)
    return frozenset(pairs(words)) if len(words) >= MIN_WORDS else None


def alike(a: Set[str], b: Set[str]) -> bool:
    """Say whether two comments' word pairs make them near-duplicates."""
    shared = len(a & b)
    return shared >= MIN_SHARED and shared >= THRESHOLD * (len(a) + len(b) - shared)


def signature(paired: Iterable[str]) -> np.ndarray:
    """A comment's MinHash signature: datasketch's MinHash of its word pairs (affine32, the
    fixed permutations), computed here as datasketch computes it, without building a MinHash
    object per comment (its checks and arrays cost a third of the work). A test holds it
    equal to datasketch's."""
    hashed = np.array([sha1_hash32(pair.encode()) for pair in paired], dtype=np.uint32)
    for shift, multiplier in _FMIX32:  # MurmurHash3's finalizer, as datasketch mixes first
        hashed ^= hashed >> shift
        hashed *= multiplier
    hashed ^= hashed >> np.uint32(16)
    return (hashed[:, np.newaxis] * _PERMUTATIONS[0] + _PERMUTATIONS[1]).min(axis=0)


def keys(site_id: int, paired: Iterable[str]) -> list[int]:
    """A comment's bucket keys, from its word pairs: one signed 64-bit digest per LSH band of
    its signature, the site mixed in (a campaign is one site's)."""
    hashvalues = signature(paired)
    prefix = SCHEME + site_id.to_bytes(8, "big")
    return [
        int.from_bytes(
            hashlib.blake2b(
                prefix + band.to_bytes(2, "big") + hashvalues[start:end].tobytes(),
                digest_size=8,
            ).digest(),
            "big",
            signed=True,
        )
        for band, (start, end) in enumerate(BANDS)
    ]


# The newest comments of each bucket, the statement built once (its SQL is cached), in Core
# on the tables: the rows are read as plain tuples, with none of the ORM's per-query set-up.
_BUCKETS, _COMMENTS = CampaignBucket.__table__, Comment.__table__
_BUCKETS_OF_EACH_BAND = [
    sa.select(
        sa.select(_BUCKETS.c.comment_id)
        .where(_BUCKETS.c.band_hash == sa.bindparam(f"k{band}", type_=sa.BigInteger))
        .order_by(_BUCKETS.c.comment_id.desc())
        .limit(PER_BUCKET)
        .subquery()
    )
    for band in range(len(BANDS))
]
_SHARING = sa.union_all(*_BUCKETS_OF_EACH_BAND).subquery("sharing")
_MOST = (
    sa.select(_SHARING.c.comment_id, sa.func.count().label("shared"))
    .group_by(_SHARING.c.comment_id)
    .order_by(sa.desc("shared"), _SHARING.c.comment_id.desc())
    .limit(COMPARED)
    .subquery("most")
)
# The COMPARED comments sharing most buckets with the new one (newest first among equals).
_CANDIDATES = sa.select(_COMMENTS.c.id, _COMMENTS.c.campaign_id, _COMMENTS.c.content).join(
    _MOST, _MOST.c.comment_id == _COMMENTS.c.id
)
_INSERT_BUCKETS = _BUCKETS.insert()


@dataclass(frozen=True)
class Placement:
    """Where a new comment goes: its buckets, its campaign, and what joins or merges into it."""

    keys: tuple[int, ...] = ()  # empty: too short to group, nothing stored
    campaign_id: int | None = None
    joining: tuple[int, ...] = ()  # alike comments in no campaign yet: they found it with it
    merging: tuple[int, ...] = ()  # other campaigns it is alike to: they become one


def place(site_id: int, content: str) -> Placement:
    """Find the campaign a new comment of a site belongs to, storing nothing.

    Reads at most PER_BUCKET comments of each of its buckets, and compares exactly the
    COMPARED that share most buckets with it (newest first among equals).
    """
    mine = shingles(content)
    if mine is None:
        return Placement()
    found = keys(site_id, mine)
    bound = {f"k{band}": key for band, key in enumerate(found)}
    similar = [
        (comment_id, campaign_id)
        for comment_id, campaign_id, text in db.session.connection().execute(_CANDIDATES, bound)
        if (theirs := shingles(text)) is not None and alike(mine, theirs)
    ]
    if not similar:
        return Placement(tuple(found))
    campaigns = {campaign_id or comment_id for comment_id, campaign_id in similar}
    chosen = min(campaigns)  # the oldest: a campaign is named by its first comment
    return Placement(
        tuple(found),
        chosen,
        tuple(sorted(comment_id for comment_id, campaign_id in similar if campaign_id is None)),
        tuple(sorted(campaigns - {chosen})),
    )


def store(placement: Placement, comment_id: int) -> None:
    """Write a placed comment's buckets, and its campaign onto the comments it joined; no commit.

    A merge renames the other campaigns' members: at most the comments of the campaigns one
    comment bridged, which happens while a campaign forms, before it is large.
    """
    # Core on the session's connection: no ORM bookkeeping, in the session's transaction.
    connection = db.session.connection()
    if placement.keys:
        rows = [{"band_hash": key, "comment_id": comment_id} for key in placement.keys]
        connection.execute(_INSERT_BUCKETS, rows)
    # Apart, so that each reads its own index (the primary key, the campaign's).
    if placement.joining:
        joining = _COMMENTS.update().where(_COMMENTS.c.id.in_(placement.joining))
        connection.execute(joining.values(campaign_id=placement.campaign_id))
    if placement.merging:
        merging = _COMMENTS.update().where(_COMMENTS.c.campaign_id.in_(placement.merging))
        connection.execute(merging.values(campaign_id=placement.campaign_id))


def first_of_each(query: sa.Select) -> sa.Select:
    """Keep, of each campaign, only its oldest comment in the same status: one row per campaign.

    One probe of the index on (campaign_id, status, ...) per campaign member the query walks
    past; comments in no campaign pass without one.
    """
    member = orm.aliased(Comment)
    earlier = sa.exists().where(
        member.campaign_id == Comment.campaign_id,
        member.status == Comment.status,
        member.id < Comment.id,
    )
    return query.where(Comment.campaign_id.is_(None) | ~earlier)


def sizes(campaign_ids: Iterable[int | None], status: Status) -> dict[int, int]:
    """How many comments of each campaign are in a status (None is no campaign), in one query.

    A campaign is one site's, so whoever may see one of its comments may see them all.
    """
    wanted = set(campaign_ids) - {None}
    if not wanted:
        return {}
    query = (
        sa.select(Comment.campaign_id, sa.func.count())
        .where(Comment.campaign_id.in_(wanted), Comment.status == status)
        .group_by(Comment.campaign_id)
    )
    return dict(db.session.execute(query).all())


def members(moderator: Moderator, campaign_id: int, status: Status, limit: int) -> list[Comment]:
    """The oldest `limit` comments of a campaign in a status that the moderator may see."""
    query = access.visible(moderator, sa.select(Comment)).where(
        Comment.campaign_id == campaign_id, Comment.status == status
    )
    query = query.order_by(Comment.id).limit(limit).options(orm.joinedload(Comment.site))
    return list(db.session.scalars(query))


def shared_spans(text: str, others: Iterable[str]) -> list[tuple[int, int]]:
    """Where text has the words it shares with the other comments: in a word pair one of them
    uses too. Placeholders (links, numbers, names) are what varies, so never shared."""
    words = tokens(text)
    used = set().union(*(shingles(other) or () for other in others))
    spans: set[tuple[int, int]] = set()
    for a, b in itertools.pairwise(words):
        if f"{a.text} {b.text}" in used:
            spans.update((token.start, token.end) for token in (a, b) if token.is_word)
    return sorted(spans)
