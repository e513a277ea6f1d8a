"""Score one record without sklearn's per-call overhead, using the fitted pipeline's weights."""

import math
from collections import Counter
from collections.abc import Mapping

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from model.features import MetaTokens, Signals, meta_tokens, record_row, signals


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Return sklearn's char_wb n-grams of a lower-cased text (same multiset, fewer steps)."""
    grams = []
    for word in text.split():
        word = f" {word} "
        size = len(word)
        # sklearn emits a padded word no longer than n once, as itself, and stops there.
        grams += [
            word[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)
        ] or [word]
    return grams


def _analyzer(vectorizer: TfidfVectorizer):
    """Return a function from raw text to the vectorizer's terms."""
    plain = (
        vectorizer.lowercase
        and vectorizer.strip_accents is None
        and vectorizer.preprocessor is None
    )
    if vectorizer.analyzer == "char_wb" and plain:
        low, high = vectorizer.ngram_range
        return lambda text: char_wb_ngrams(text.lower(), low, high)
    return vectorizer.build_analyzer()


class _Tfidf:
    """Apply a fitted TfidfVectorizer and a linear slice to one text."""

    def __init__(self, vectorizer: TfidfVectorizer, coef: np.ndarray):
        if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
            raise TypeError("the fast path supports l2-normalised, non-binary TF-IDF only")
        self.analyze = _analyzer(vectorizer)
        self.sublinear = vectorizer.sublinear_tf
        self.vocabulary = vectorizer.vocabulary_
        self.terms = self.vocabulary.keys()
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        self.coef = np.asarray(coef, dtype=float)

    def __call__(self, row: list[str], column) -> float:
        """Return this block's contribution to the decision value."""
        counts = Counter(self.analyze(row[column]))
        present = counts.keys() & self.terms
        if not present:
            return 0.0
        # map() keeps the per-term work in C; only the arithmetic is vectorised.
        index = np.fromiter(
            map(self.vocabulary.__getitem__, present), dtype=np.intp, count=len(present)
        )
        tf = np.fromiter(map(counts.__getitem__, present), dtype=float, count=len(present))
        if self.sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[index]
        return float(values @ self.coef[index]) / math.sqrt(float(values @ values))


class _Signals:
    """Apply the dense signals and a linear slice to one row."""

    def __init__(self, transformer: Signals, coef: np.ndarray):
        self.coef = coef.tolist()

    def __call__(self, row: list[str], columns) -> float:
        """Return this block's contribution to the decision value."""
        return math.fsum(
            w * x for w, x in zip(self.coef, signals(*(row[c] for c in columns)), strict=True)
        )


class _Tokens:
    """Apply the domain tokens (MetaTokens then DictVectorizer) and a linear slice to one row."""

    def __init__(self, transformer: Pipeline, coef: np.ndarray):
        vocabulary = transformer[-1].vocabulary_
        self.weights = {token: coef[i] for token, i in vocabulary.items()}

    def __call__(self, row: list[str], columns) -> float:
        """Return this block's contribution to the decision value."""
        tokens = meta_tokens(*(row[c] for c in columns))
        return sum(self.weights.get(token, 0.0) * value for token, value in tokens.items())


def _block(transformer, coef: np.ndarray):
    """Return the fast equivalent of one fitted ColumnTransformer block."""
    if isinstance(transformer, TfidfVectorizer):
        return _Tfidf(transformer, coef)
    if isinstance(transformer, Signals):
        return _Signals(transformer, coef)
    if isinstance(transformer, Pipeline) and isinstance(transformer[0], MetaTokens):
        return _Tokens(transformer, coef)
    raise TypeError(f"the fast path does not support {type(transformer).__name__}")


class FastScorer:
    """Compute the calibrated spam probability of one record from a fitted serving pipeline."""

    def __init__(self, pipeline: Pipeline):
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_
        if len(calibrated) != 1 or calibrated[0].method != "sigmoid":
            raise TypeError(
                "the fast path needs one sigmoid-calibrated classifier (ensemble=False)"
            )
        linear = calibrated[0].estimator
        coef = np.asarray(linear.coef_, dtype=float).ravel()
        self.intercept = float(np.ravel(linear.intercept_)[0])
        self.a = float(calibrated[0].calibrators[0].a_)
        self.b = float(calibrated[0].calibrators[0].b_)
        features = pipeline.named_steps["features"]
        self.blocks = []
        for name, transformer, columns in features.transformers_:
            indices = features.output_indices_[name]
            if indices.stop > indices.start:
                self.blocks.append((_block(transformer, coef[indices]), columns))

    def __call__(self, record: Mapping) -> float:
        """Return the calibrated spam probability of one record."""
        row = record_row(record)
        decision = self.intercept + sum(block(row, columns) for block, columns in self.blocks)
        margin = self.a * decision + self.b
        # The logistic function, written so that neither branch can overflow.
        if margin >= 0:
            return math.exp(-margin) / (1.0 + math.exp(-margin))
        return 1.0 / (1.0 + math.exp(margin))
