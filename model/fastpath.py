"""Score one record without sklearn's per-call overhead, using the fitted pipeline's weights.

Per call the work is plain Python on small objects: the text's words are looked up in a cache
of each word's in-vocabulary char n-gram ids (char_wb n-grams never cross a word boundary, so a
text's char counts are the sum of its words'), the ids are counted, and each present term adds
``tf * idf * coef`` to the dot product and ``(tf * idf) ** 2`` to the l2 norm. No numpy or scipy
object is built per call. Equality with ``predict_proba`` is tested to 1e-9.
"""

import math
import operator
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from model.features import (
    CallsToAction,
    MetaTokens,
    Signals,
    calls_to_action,
    meta_tokens,
    record_row,
    signals,
)
from model.tfidf import Terms


@lru_cache(maxsize=4096)
def _sublinear(count: int) -> float:
    """Return sklearn's sublinear term frequency, 1 + log(count)."""
    return 1.0 + math.log(count)


class _Tfidf:
    """Apply a fitted TfidfVectorizer and a linear slice to one text."""

    def __init__(self, vectorizer: TfidfVectorizer, coef: np.ndarray):
        self.terms = Terms(vectorizer)
        self.weight = (self.terms.idf * np.asarray(coef, dtype=float)).tolist()
        self.idf = self.terms.idf.tolist()
        self.sublinear = vectorizer.sublinear_tf
        self.binary = vectorizer.binary

    def __call__(self, row: list[str], column) -> float:
        """Return this block's contribution to the decision value."""
        found = self.terms.ids_of(row[column])
        if not found:
            return 0.0
        counts = Counter(found)
        terms = list(counts)
        # map(), sum() and math.hypot keep the per-term loop in C: no Python-level loop here.
        if self.binary:
            tf = [1.0] * len(terms)
        elif self.sublinear:
            tf = list(map(_sublinear, counts.values()))
        else:
            tf = list(map(float, counts.values()))
        dot = sum(map(operator.mul, tf, map(self.weight.__getitem__, terms)))
        norm = math.hypot(*map(operator.mul, tf, map(self.idf.__getitem__, terms)))
        return dot / norm


class _Signals:
    """Apply the dense signals and a linear slice to one row."""

    def __init__(self, transformer: Signals, coef: np.ndarray):
        self.coef = coef.tolist()

    def __call__(self, row: list[str], columns) -> float:
        """Return this block's contribution to the decision value."""
        values = signals(*(row[c] for c in columns))
        return sum(w * x for w, x in zip(self.coef, values, strict=True))


class _CallsToAction:
    """Apply the call-to-action flags and a linear slice to the content column."""

    def __init__(self, transformer: CallsToAction, coef: np.ndarray):
        self.coef = coef.tolist()

    def __call__(self, row: list[str], columns) -> float:
        """Return this block's contribution to the decision value."""
        values = calls_to_action(row[columns[0]])
        return sum(w * x for w, x in zip(self.coef, values, strict=True))


class _Tokens:
    """Apply the domain tokens (MetaTokens then DictVectorizer) and a linear slice to one row."""

    def __init__(self, transformer: Pipeline, coef: np.ndarray):
        vocabulary = transformer[-1].vocabulary_
        self.weights = {token: float(coef[i]) for token, i in vocabulary.items()}

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
    if isinstance(transformer, CallsToAction):
        return _CallsToAction(transformer, coef)
    if isinstance(transformer, Pipeline) and isinstance(transformer[0], MetaTokens):
        return _Tokens(transformer, coef)
    raise TypeError(f"the fast path does not support {type(transformer).__name__}")


def _linear_and_link(classifier) -> tuple[object, float, float]:
    """Return the linear model and the (a, b) of its sigmoid link: p = 1 / (1 + exp(a*d + b))."""
    if isinstance(classifier, LogisticRegression):
        # Logistic regression's own probability: p = 1 / (1 + exp(-d)).
        return classifier, -1.0, 0.0
    if isinstance(classifier, CalibratedClassifierCV):
        calibrated = classifier.calibrated_classifiers_
        if len(calibrated) == 1 and calibrated[0].method == "sigmoid":
            calibrator = calibrated[0].calibrators[0]
            return calibrated[0].estimator, float(calibrator.a_), float(calibrator.b_)
    raise TypeError(
        "the fast path needs a binary LogisticRegression or one sigmoid-calibrated "
        "linear classifier (ensemble=False)"
    )


class FastScorer:
    """Compute the spam probability of one record from a fitted serving pipeline."""

    def __init__(self, pipeline: Pipeline):
        linear, self.a, self.b = _linear_and_link(pipeline.named_steps["classifier"])
        coef = np.asarray(linear.coef_, dtype=float)
        if coef.shape[0] != 1:
            raise TypeError("the fast path needs a binary classifier")
        coef = coef.ravel()
        self.intercept = float(np.ravel(linear.intercept_)[0])
        features = pipeline.named_steps["features"]
        self.blocks = []
        for name, transformer, columns in features.transformers_:
            indices = features.output_indices_[name]
            if indices.stop > indices.start:
                self.blocks.append((_block(transformer, coef[indices]), columns))

    def __call__(self, record: Mapping) -> float:
        """Return the spam probability of one record."""
        row = record_row(record)
        decision = self.intercept
        for block, columns in self.blocks:
            decision += block(row, columns)
        margin = self.a * decision + self.b
        # The logistic function, written so that neither branch can overflow.
        if margin >= 0:
            return math.exp(-margin) / (1.0 + math.exp(-margin))
        return 1.0 / (1.0 + math.exp(margin))
