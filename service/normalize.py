"""Text as a word list sees it: Unicode-normalised, case-folded, look-alikes folded to Latin."""

import functools
import re
import unicodedata
from collections.abc import Iterable

# Cyrillic and Greek letters that render like Latin ones (after case folding),
# named rather than written, so the source shows which look-alike is meant.
# NFKC already folds fullwidth and mathematical letters; these it leaves alone.
_LOOKALIKES = {
    "a": ("CYRILLIC SMALL LETTER A", "GREEK SMALL LETTER ALPHA"),
    "b": ("CYRILLIC SMALL LETTER VE", "GREEK SMALL LETTER BETA"),
    "c": ("CYRILLIC SMALL LETTER ES",),
    "d": ("CYRILLIC SMALL LETTER KOMI DE",),
    "e": ("CYRILLIC SMALL LETTER IE", "GREEK SMALL LETTER EPSILON"),
    "h": ("CYRILLIC SMALL LETTER SHHA",),
    "i": (
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I",
        "GREEK SMALL LETTER IOTA",
        "LATIN SMALL LETTER DOTLESS I",
    ),
    "j": ("CYRILLIC SMALL LETTER JE", "LATIN SMALL LETTER DOTLESS J"),
    "k": ("GREEK SMALL LETTER KAPPA",),
    "l": ("CYRILLIC SMALL LETTER PALOCHKA",),
    "n": ("GREEK SMALL LETTER ETA",),
    "o": ("CYRILLIC SMALL LETTER O", "GREEK SMALL LETTER OMICRON"),
    "p": ("CYRILLIC SMALL LETTER ER", "GREEK SMALL LETTER RHO"),
    "q": ("CYRILLIC SMALL LETTER QA",),
    "s": ("CYRILLIC SMALL LETTER DZE",),
    "u": ("GREEK SMALL LETTER UPSILON",),
    "v": ("GREEK SMALL LETTER NU",),
    "w": ("CYRILLIC SMALL LETTER WE", "GREEK SMALL LETTER OMEGA"),
    "x": ("CYRILLIC SMALL LETTER HA", "GREEK SMALL LETTER CHI"),
    "y": ("CYRILLIC SMALL LETTER U", "CYRILLIC SMALL LETTER STRAIGHT U"),
    # Capitals look like other letters than their small forms do (Greek Nu: N, not v),
    # so they are folded before case folding.
    "A": ("CYRILLIC CAPITAL LETTER A", "GREEK CAPITAL LETTER ALPHA"),
    "B": ("CYRILLIC CAPITAL LETTER VE", "GREEK CAPITAL LETTER BETA"),
    "C": ("CYRILLIC CAPITAL LETTER ES",),
    "E": ("CYRILLIC CAPITAL LETTER IE", "GREEK CAPITAL LETTER EPSILON"),
    "H": ("CYRILLIC CAPITAL LETTER EN", "GREEK CAPITAL LETTER ETA"),
    "I": ("CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", "GREEK CAPITAL LETTER IOTA"),
    "J": ("CYRILLIC CAPITAL LETTER JE",),
    "K": ("CYRILLIC CAPITAL LETTER KA", "GREEK CAPITAL LETTER KAPPA"),
    "M": ("CYRILLIC CAPITAL LETTER EM", "GREEK CAPITAL LETTER MU"),
    "N": ("GREEK CAPITAL LETTER NU",),
    "O": ("CYRILLIC CAPITAL LETTER O", "GREEK CAPITAL LETTER OMICRON"),
    "P": ("CYRILLIC CAPITAL LETTER ER", "GREEK CAPITAL LETTER RHO"),
    "S": ("CYRILLIC CAPITAL LETTER DZE",),
    "T": ("CYRILLIC CAPITAL LETTER TE", "GREEK CAPITAL LETTER TAU"),
    "X": ("CYRILLIC CAPITAL LETTER HA", "GREEK CAPITAL LETTER CHI"),
    "Y": ("CYRILLIC CAPITAL LETTER STRAIGHT U", "GREEK CAPITAL LETTER UPSILON"),
    "Z": ("GREEK CAPITAL LETTER ZETA",),
}
_CONFUSABLES = str.maketrans(
    {unicodedata.lookup(name): latin for latin, names in _LOOKALIKES.items() for name in names}
)

_WORD = r"[^\W_]"
# Three or more single letters or digits, each separated by a little punctuation
# or space: "c a s i n o", "c.a.s.i.n.o", "c-a-s-i-n-o".
_SPACED_OUT = re.compile(rf"(?<!{_WORD})(?:{_WORD}[\W_]{{1,3}}){{2,}}{_WORD}(?!{_WORD})")


def normalize(text: str) -> str:
    """Fold text to a canonical form: NFKC, no marks or invisibles, Latin look-alikes, casefold."""
    if text.isascii():  # most text: no form to normalise, no mark, invisible or look-alike
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    # Mn: combining accents ("cásino"); Cf: zero-width and other invisible format characters.
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))
    return unicodedata.normalize("NFC", kept.translate(_CONFUSABLES).casefold())


def collapse_spaced_out(text: str) -> str:
    """Join runs of single characters separated by spaces or punctuation into one word."""
    return _SPACED_OUT.sub(lambda match: re.sub(r"[\W_]", "", match.group()), text)


_WORD_CHARACTER = re.compile(r"\w")


class WordList:
    """Configured words, matched on word boundaries against normalised text."""

    def __init__(self, words: Iterable[str]):
        self._originals = {normalize(w).strip(): w for w in words if normalize(w).strip()}
        alternatives = "|".join(
            re.escape(w) for w in sorted(self._originals, key=len, reverse=True)
        )
        # The words first, no lookbehind before them: re then skips straight to where one
        # may begin (tens of times faster on a comment); _search checks what precedes it.
        self._pattern = alternatives and re.compile(rf"(?:{alternatives})(?!\w)")

    def find(self, text: str | None) -> str | None:
        """Return the configured word found in the text, as configured, or None."""
        if not self._pattern or not text:
            return None
        for candidate in searched_forms(text):
            match = self._search(candidate)
            if match:
                return self._originals[match.group()]
        return None

    def _search(self, text: str) -> re.Match | None:
        """The leftmost word in the text that no word character precedes (nor follows)."""
        match = self._pattern.search(text)
        while match and match.start() and _WORD_CHARACTER.match(text, match.start() - 1):
            match = self._pattern.search(text, match.start() + 1)
        return match


@functools.lru_cache(maxsize=1024)
def searched_forms(text: str) -> tuple[str, str]:
    """The forms of a text a word list searches: folded, then spaced-out letters joined.

    Cached: a comment's fields are searched by each of its site's word lists in turn.
    """
    folded = normalize(text)
    return folded, collapse_spaced_out(folded)


@functools.lru_cache(maxsize=256)
def word_list(words: tuple[str, ...]) -> WordList:
    """A compiled word list, shared by every request with the same settings."""
    return WordList(words)
