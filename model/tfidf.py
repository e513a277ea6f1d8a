"""Apply a fitted TfidfVectorizer fast: each word's n-gram ids are looked up once and reused.

sklearn's char_wb analyzer builds every n-gram of every word of every text and looks each one up
in the vocabulary, in Python, per call. char_wb n-grams never cross a word boundary, so a text's
n-gram counts are the sum of its words', and comment vocabularies repeat: caching each word's
in-vocabulary n-gram ids makes a text a few dictionary lookups. One `Terms` serves the fast path
(one text, model/fastpath.py) and the chunked fit (many texts as the sparse matrix `transform`
returns, model/chunked.py); both are tested equal to sklearn's.
"""

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# Words seen by the char n-gram cache before it is emptied and refilled (bounds its memory,
# about 20 MB at most; comment vocabularies repeat, so the hit rate stays high).
WORD_CACHE_SIZE = 100_000


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Return sklearn's char_wb n-grams of a lower-cased text (same multiset, fewer steps)."""
    grams = []
    for word in text.split():
        grams += _word_ngrams(word, low, high)
    return grams


def _word_ngrams(word: str, low: int, high: int) -> list[str]:
    """Return sklearn's char_wb n-grams of one word (padded with a space on each side)."""
    word = f" {word} "
    size = len(word)
    # sklearn emits a padded word no longer than n once, as itself, and stops there.
    return [
        word[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)
    ] or [word]


def _plain(vectorizer: TfidfVectorizer) -> bool:
    """Tell whether a vectorizer uses sklearn's default preprocessing (lower case only)."""
    return (
        vectorizer.lowercase
        and vectorizer.strip_accents is None
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and vectorizer.stop_words is None
        and not callable(vectorizer.analyzer)
    )


class Terms:
    """The vocabulary ids of a text's terms under a fitted TfidfVectorizer, and its weighting."""

    def __init__(self, vectorizer: TfidfVectorizer):
        if vectorizer.norm != "l2" or not vectorizer.use_idf:
            raise TypeError("only l2-normalised TF-IDF is supported")
        self.vectorizer = vectorizer
        self.vocabulary = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        self.low, self.high = vectorizer.ngram_range
        self.cache: dict[str, tuple[int, ...]] = {}
        if vectorizer.analyzer == "char_wb" and _plain(vectorizer):
            self.ids_of = self._char_wb_ids
        elif vectorizer.analyzer == "word" and _plain(vectorizer):
            self.token = re.compile(vectorizer.token_pattern)
            self.ids_of = self._word_ids
        else:
            self.analyze = vectorizer.build_analyzer()
            self.ids_of = self._analyzed_ids

    def _char_wb_ids(self, text: str) -> list[int]:
        """Return the vocabulary ids of a text's char_wb n-grams, one per occurrence."""
        cache, found = self.cache, []
        for word in text.lower().split():
            ids = cache.get(word)
            if ids is None:
                vocabulary = self.vocabulary
                grams = _word_ngrams(word, self.low, self.high)
                ids = tuple(vocabulary[g] for g in grams if g in vocabulary)
                if len(cache) >= WORD_CACHE_SIZE:
                    cache.clear()
                cache[word] = ids
            found += ids
        return found

    def _word_ids(self, text: str) -> list[int]:
        """Return the vocabulary ids of a text's word n-grams, one per occurrence."""
        tokens = self.token.findall(text.lower())
        vocabulary, found = self.vocabulary, []
        for n in range(self.low, self.high + 1):
            if n == 1:
                grams = tokens
            else:
                grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            found += [vocabulary[g] for g in grams if g in vocabulary]
        return found

    def _analyzed_ids(self, text: str) -> list[int]:
        """Return the vocabulary ids of the terms sklearn's own analyzer finds."""
        vocabulary = self.vocabulary
        return [vocabulary[term] for term in self.analyze(text) if term in vocabulary]

    def matrix(self, texts) -> sp.csr_matrix:
        """Return the TF-IDF rows of texts, as the vectorizer's `transform` computes them.

        The counting is one sparse sum over every text's ids; the weighting is sklearn's own
        steps in its order (sublinear tf, idf, l2 norm), so the values agree to rounding.
        """
        lengths, columns = [], []
        for text in texts:
            found = self.ids_of(text)
            lengths.append(len(found))
            columns += found
        rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        counts = sp.csr_matrix(
            (np.ones(len(columns)), (rows, np.array(columns, dtype=np.int32))),
            shape=(len(lengths), len(self.idf)),
        )
        counts.sum_duplicates()
        if self.vectorizer.binary:
            counts.data[:] = 1.0
        elif self.vectorizer.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return normalize(counts, norm="l2", copy=False)
