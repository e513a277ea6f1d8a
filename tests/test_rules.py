"""The routing chain without HTTP: each check, each setting value, and their precedence."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as settings_of_hypothesis
from hypothesis import strategies as st

from service import rules, settings
from service.normalize import WordList, normalize, searched_forms
from service.scoring import Score
from service.tables import Status

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
COMMENT = {
    "content": "My uncle has been missing since 2018.",
    "author_name": "Aigerim",
    "author_email": "aigerim@example.kz",
    "author_url": None,
    "user_ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
}


def route(score: float | None = 0.5, approved_before: bool = False, **overrides):
    """Route a comment (fields and settings overridden by keyword) with the given score."""
    fields = {k: overrides.pop(k) for k in list(overrides) if k in {*COMMENT, *EXTRA_FIELDS}}
    context = rules.Context(
        Score(score, None if score is None else "m1"),
        0.9,
        settings.load(overrides),
        {**COMMENT, **fields},
        lambda: approved_before,
        NOW,
    )
    return rules.route(context)


EXTRA_FIELDS = ("honeypot", "form_rendered_at")
SCORE_REASON = "score 0.50 < spam threshold 0.90"


def test_a_plain_comment_waits_with_only_its_score_reason():
    assert route() == (Status.PENDING, [SCORE_REASON])


def test_classifier_spam_and_unscored():
    assert route(0.95) == (Status.SPAM, ["score 0.95 >= spam threshold 0.90"])
    assert route(None) == (Status.PENDING, ["unscored"])


# --- links -------------------------------------------------------------------------------

THREE_LINKS = "see http://a.example and https://b.example and www.c.example"


@pytest.mark.parametrize(
    ("max_links", "content", "expected"),
    [
        (2, THREE_LINKS, (Status.PENDING, [SCORE_REASON, "3 links > max 2"])),
        (2, "only http://a.example and https://b.example", (Status.PENDING, [SCORE_REASON])),
        (0, "one link http://a.example", (Status.PENDING, [SCORE_REASON, "1 links > max 0"])),
        (5, THREE_LINKS, (Status.PENDING, [SCORE_REASON])),
        (None, THREE_LINKS * 10, (Status.PENDING, [SCORE_REASON])),
    ],
)
def test_more_links_than_allowed_are_held(max_links, content, expected):
    assert route(0.5, max_links=max_links, content=content) == expected


def test_a_www_link_inside_a_url_counts_once():
    _, reasons = route(max_links=0, content="http://www.example.com")

    assert reasons[-1] == "1 links > max 0"


# --- words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("content", "Best casino in town", "content"),
        ("author_name", "Casino King", "name"),
        ("author_email", "win@casino.example", "email"),
        ("author_url", "https://casino.example/", "website"),
        ("user_agent", "CasinoBot/1.0", None),
    ],
)
def test_moderation_words_hold_and_say_where(field, value, label):
    status, reasons = route(0.1, moderation_words=["casino"], **{field: value})

    if label is None:  # "CasinoBot" is one word: no match on a word boundary
        assert (status, reasons) == (Status.PENDING, ["score 0.10 < spam threshold 0.90"])
    else:
        assert status == Status.PENDING
        assert reasons[-1] == f'matched moderation word "casino" in {label}'


def test_a_word_list_can_name_an_ip():
    _, reasons = route(moderation_words=["203.0.113.7"])

    assert reasons[-1] == 'matched moderation word "203.0.113.7" in IP'


def test_an_ip_word_does_not_match_a_longer_address():
    assert route(moderation_words=["203.0.113.7"], user_ip="203.0.113.70")[1] == [SCORE_REASON]


def test_disallowed_words_send_to_spam_even_with_a_low_score():
    status, reasons = route(0.01, disallowed_words=["viagra"], content="cheap VIAGRA here")

    assert status == Status.SPAM
    assert reasons == [
        'matched disallowed word "viagra" in content',
        "score 0.01 < spam threshold 0.90",
    ]


@pytest.mark.parametrize(
    "content",
    [
        "visit my c\u0430sino",  # Cyrillic a
        "visit my C\u0410SINO",  # Cyrillic capital A
        "visit my \u0441\u0430sin\u043e",  # Cyrillic es, a, o
        "visit my c\u03b1sino",  # Greek alpha
        "visit my CASI\u039dO",  # Greek capital Nu
        "visit my c a s i n o",
        "visit my c.a.s.i.n.o",
        "visit my c-a-s-i-n-o!",
        "visit my \uff43\uff41\uff53\uff49\uff4e\uff4f",  # fullwidth
        "visit my c\u00e1sino",  # accent
        "visit my cas\u200bino",  # zero-width space
        "visit my CaSiNo",
    ],
)
def test_words_match_through_unicode_tricks(content):
    assert route(disallowed_words=["casino"], content=content)[0] == Status.SPAM


@pytest.mark.parametrize("content", ["casinos everywhere", "an occasion", "ca sino", "kasino"])
def test_words_match_only_on_word_boundaries(content):
    assert route(disallowed_words=["casino"], content=content)[0] == Status.PENDING


def test_a_phrase_matches_across_spacing_and_case():
    assert route(moderation_words=["Free Money"], content="get FREE money now")[1][-1] == (
        'matched moderation word "Free Money" in content'
    )


def found_with_a_lookbehind(words: list[str], text: str) -> str | None:
    """What a word list finds, by the plain pattern: a lookbehind before the words."""
    originals = {normalize(w).strip(): w for w in words if normalize(w).strip()}
    alternatives = "|".join(re.escape(w) for w in sorted(originals, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    found = (pattern.search(form) for form in searched_forms(text))
    return next((originals[match.group()] for match in found if match), None)


@settings_of_hypothesis(max_examples=500, deadline=None)
@given(
    text=st.lists(st.sampled_from(["casino", "c a s i n o", "money", "x", " ", "-", "é", "1"])).map(
        "".join
    ),
    words=st.lists(
        st.sampled_from(["casino", "sin", "free money", "money", "o-x", "x"]), min_size=1
    ),
)
def test_a_word_list_finds_what_a_lookbehind_pattern_finds(text, words):
    assert WordList(words).find(text) == found_with_a_lookbehind(words, text)


# --- blocklists and allowlist --------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "blocked"),
    [("x@spam.example", True), ("x@mail.spam.example", True), ("x@notspam.example", False)],
)
def test_blocked_email_domains_and_their_subdomains_are_spam(email, blocked):
    status, reasons = route(0.1, blocked_email_domains=["spam.example"], author_email=email)

    assert status == (Status.SPAM if blocked else Status.PENDING)
    assert ('email domain "spam.example" is blocked' in reasons) is blocked


@pytest.mark.parametrize(
    ("ip", "blocked_ips", "reason"),
    [
        ("203.0.113.7", ["203.0.113.7"], "IP 203.0.113.7 is blocked"),
        ("203.0.113.7", ["203.0.113.0/24"], "IP 203.0.113.7 is in blocked range 203.0.113.0/24"),
        ("2001:db8::5", ["2001:db8::/32"], "IP 2001:db8::5 is in blocked range 2001:db8::/32"),
        ("203.0.113.7", ["198.51.100.0/24", "2001:db8::/32"], None),
        # Matched on the canonical form, however the address or the range is written.
        (
            "::ffff:203.0.113.9",
            ["203.0.113.0/24"],
            "IP 203.0.113.9 is in blocked range 203.0.113.0/24",
        ),
        (
            "203.0.113.9",
            ["::ffff:203.0.113.0/120"],
            "IP 203.0.113.9 is in blocked range 203.0.113.0/24",
        ),
        ("fe80::1%eth0", ["fe80::1%eth1"], "IP fe80::1 is blocked"),
        (None, ["0.0.0.0/0"], None),
    ],
)
def test_blocked_ips_and_ranges_are_spam(ip, blocked_ips, reason):
    status, reasons = route(0.1, blocked_ips=blocked_ips, user_ip=ip)

    assert status == (Status.SPAM if reason else Status.PENDING)
    assert (reasons[0] == reason) if reason else len(reasons) == 1


def test_allowlisted_author_is_approved_even_over_the_spam_threshold():
    status, reasons = route(0.95, allowed_authors=["Aigerim@Example.kz"], content=THREE_LINKS)

    assert status == Status.APPROVED
    assert reasons == [
        'author "aigerim@example.kz" is on the allowlist',
        "score 0.95 >= spam threshold 0.90",
        "3 links > max 2",
    ]


def test_spam_evidence_beats_the_allowlist():
    status, reasons = route(
        0.1, allowed_authors=["aigerim@example.kz"], blocked_ips=["203.0.113.0/24"]
    )

    assert status == Status.SPAM
    assert reasons[:2] == [
        "IP 203.0.113.7 is in blocked range 203.0.113.0/24",
        'author "aigerim@example.kz" is on the allowlist',
    ]


# --- honeypot and time to submit --------------------------------------------------------------


def test_a_filled_honeypot_is_spam():
    assert route(0.01, honeypot="http://x.example")[0] == Status.SPAM
    assert route(0.01, honeypot="x")[1][0] == "honeypot field was filled in"


@pytest.mark.parametrize(
    ("seconds_ago", "minimum", "held"),
    [(1.5, 3, True), (3, 3, False), (60, 3, False), (0.5, 0, False), (-5, 3, True)],
)
def test_a_form_submitted_too_fast_is_held(seconds_ago, minimum, held):
    rendered = NOW - timedelta(seconds=seconds_ago)
    status, reasons = route(
        0.01, approved_before=True, form_rendered_at=rendered, min_submit_seconds=minimum
    )

    assert status == (Status.PENDING if held else Status.APPROVED)
    too_fast = f"submitted {seconds_ago:.1f} s after the form was rendered < minimum {minimum:g} s"
    assert (too_fast in reasons) is held


def test_no_form_time_no_opinion():
    assert route(0.01, approved_before=True)[0] == Status.APPROVED


# --- trusted commenters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "score", "previously_approved", "expected"),
    [
        (
            "previously_approved",
            0.1,
            True,
            "author previously approved, score 0.10 < ham threshold 0.20",
        ),
        ("previously_approved", 0.1, False, None),
        ("previously_approved", 0.3, True, None),
        ("previously_approved", None, True, None),
        ("below_ham_threshold", 0.1, False, "score 0.10 < ham threshold 0.20"),
        ("below_ham_threshold", 0.2, False, None),
        ("off", 0.01, True, None),
    ],
)
def test_trusted_modes(mode, score, previously_approved, expected):
    status, reasons = route(score, previously_approved, trusted=mode)

    assert status == (Status.APPROVED if expected else Status.PENDING)
    assert (reasons[-1] == expected) if expected else not any("ham" in r for r in reasons)


def test_ham_threshold_is_configurable():
    assert route(0.4, True, ham_threshold=0.5)[0] == Status.APPROVED
    assert route(0.4, True, ham_threshold=0.3)[0] == Status.PENDING


@pytest.mark.parametrize(
    "hold", [{"content": THREE_LINKS}, {"moderation_words": ["uncle"]}], ids=["links", "words"]
)
def test_hold_rules_beat_the_trusted_rule(hold):
    status, reasons = route(0.05, True, **hold)

    assert status == Status.PENDING
    assert "author previously approved, score 0.05 < ham threshold 0.20" in reasons


def test_the_classifier_spam_verdict_beats_hold_rules():
    assert route(0.95, content=THREE_LINKS) == (
        Status.SPAM,
        ["score 0.95 >= spam threshold 0.90", "3 links > max 2"],
    )


def test_every_fired_rule_gives_its_reason_in_chain_order():
    _, reasons = route(
        0.95,
        honeypot="bot",
        disallowed_words=["uncle"],
        blocked_email_domains=["example.kz"],
        content="my uncle http://a http://b http://c",
    )

    assert reasons == [
        "honeypot field was filled in",
        'email domain "example.kz" is blocked',
        'matched disallowed word "uncle" in content',
        "score 0.95 >= spam threshold 0.90",
        "3 links > max 2",
    ]
