"""Features see obfuscation, links and profiles, and treat a missing field as absent."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import features, text

NAMES = list(features.SIGNAL_NAMES)


def signals_of(**record) -> dict[str, float]:
    """Return the named signals of one record."""
    row = features.record_row(record)
    return dict(zip(NAMES, features.signals(*row[:4]), strict=True))


def test_links_are_counted_with_and_without_a_scheme_and_shorteners_flagged():
    found = text.links("see http://bit.ly/abc and murdev.com, or www.Example.org/x")
    assert found[0] == "http://bit.ly/abc"
    assert [text.domain_of(link) for link in found] == ["bit.ly", "murdev.com", "example.org"]
    signals = signals_of(content="see http://bit.ly/abc and murdev.com")
    assert signals["links"] == pytest.approx(np.log1p(2))
    assert signals["shortener"] == 1.0
    assert signals_of(content="see murdev.com")["shortener"] == 0.0


def test_author_name_with_a_link_or_keyword_is_flagged():
    assert signals_of(content="hi", author_name="cheap-pills.com")["name_has_link"] == 1.0
    assert signals_of(content="hi", author_name="FREE iPhone")["name_keyword"] == 1.0
    assert signals_of(content="hi", author_name="Aigerim")["name_keyword"] == 0.0


def test_obfuscated_words_shouting_and_repeats_are_measured():
    signals = signals_of(content="BUY v1agra NOW!!!!!! ch3ck it")
    assert signals["letter_digit_words"] == pytest.approx(2 / 5)
    assert signals["shouting_words"] == pytest.approx(2 / 5)
    assert signals["repeated_chars"] == pytest.approx(0.6)


def test_a_website_and_email_are_signals_only_when_given():
    given = signals_of(
        content="visit http://bit.ly/x", author_url="http://bit.ly/y", author_email="a12@bit.ly"
    )
    assert given["website_given"] == 1.0 and given["website_shortener"] == 1.0
    assert given["email_domain_linked"] == 1.0 and given["email_digits"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("absent", [None, "", "   "])
def test_a_missing_field_gives_the_same_features_as_a_missing_key(absent):
    bare = {"content": "nice song"}
    explicit = {
        "content": "nice song",
        "author_name": absent,
        "author_email": absent,
        "author_url": absent,
    }
    assert features.record_row(bare) == features.record_row(explicit)
    assert signals_of(**explicit) == signals_of(**bare)
    profile = {
        key: value
        for key, value in signals_of(**explicit).items()
        if key.startswith(("website", "email", "name"))
    }
    assert set(profile.values()) == {0.0}
    assert features.meta_tokens("nice song", "", "") == {}


def test_domain_tokens_name_links_email_and_website():
    tokens = features.meta_tokens("go to www.spam.ru/x", "bot@mail.ru", "https://shop.ru")
    assert set(tokens) == {"link=spam.ru", "email=mail.ru", "email_tld=ru", "website_tld=ru"}


def test_a_site_missing_profiles_does_not_move_the_score(classifier):
    """The YouTube data has no email or website: their presence must not shift a score."""
    comment = {"content": "I love this song, it reminds me of summer 2012"}
    with_profile = dict(
        comment, author_email="reader@example.org", author_url="https://example.org/blog"
    )
    assert classifier.score(with_profile) == pytest.approx(classifier.score(comment), abs=1e-12)


def test_the_model_catches_obfuscated_self_promotion(classifier):
    assert (
        classifier.score({"content": "ch3ck out my ch4nnel and SUBSCRIBE!!! http://bit.ly/x1"})
        > 0.9
    )
    assert classifier.score({"content": "This song never gets old, still listening in 2015"}) < 0.2


def test_calls_to_action_are_flagged_by_family():
    flags = dict(
        zip(
            features.CALL_TO_ACTION_NAMES,
            features.calls_to_action("Please SUBSCRIBE and share, go to my channel, 1000 views!"),
            strict=True,
        )
    )
    assert flags == {
        "asks_subscribe": 1.0,
        "asks_share": 1.0,
        "asks_follow": 0.0,
        "audience_counts": 1.0,
        "watch_my": 0.0,
        "visit_click": 1.0,
    }
    assert features.calls_to_action("follow me and watch my new cover") == [
        0.0,
        0.0,
        1.0,
        0.0,
        1.0,
        0.0,
    ]
    # Whole words only: "subtle", "shared", "viewing" and "clicked" are not calls to action.
    assert features.calls_to_action("a subtle, shared viewing; it clicked") == [0.0] * 6
    assert features.calls_to_action("") == [0.0] * 6


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        # Enough of a URL's letters for hosts with listed domains (.ws, .kz, .io, .com...),
        # plus the letters that fold to ASCII ones and a non-ASCII digit.
        alphabet=st.sampled_from("acikmoszuwACKSW.:/@1 -_\u017f\u212a\u0130\u0131\u00e9٣"),
        max_size=40,
    )
)
def test_the_shortcuts_before_the_link_and_mixed_word_patterns_change_nothing(value):
    from model import features, text

    text.links.cache_clear()
    assert text.links(value) == tuple(text.LINK.findall(value))
    assert features._mixed(value) == len(features._MIXED.findall(value))


def test_the_shortcuts_change_nothing_on_the_corpora(videos):
    from model import features, text

    for record in videos.records:
        content = record["content"] or ""
        assert text.links(content) == tuple(text.LINK.findall(content))
        assert features._mixed(content) == len(features._MIXED.findall(content))
