"""Score predictions: the metrics the issue asks for and the precision-bound threshold."""

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)

MIN_PRECISION = 0.99


def metrics(labels, scores, threshold: float) -> dict:
    """Return classification metrics at a threshold (spam is positive) and ranking metrics."""
    y = np.asarray(labels, dtype=int)
    p = np.asarray(scores, dtype=float)
    predicted = (p >= threshold).astype(int)
    both = len(np.unique(y)) == 2
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    return {
        "n": len(y),
        "spam": int(y.sum()),
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0.0)),
        "recall": float(recall_score(y, predicted, zero_division=0.0)),
        "f1": float(f1_score(y, predicted, zero_division=0.0)),
        "mcc": float(matthews_corrcoef(y, predicted)),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "brier": float(brier_score_loss(y, p, pos_label=1)),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
    }


def choose_threshold(labels, scores, min_precision: float = MIN_PRECISION) -> float:
    """Return the lowest score threshold whose spam precision is at least min_precision."""
    y = np.asarray(labels, dtype=int)
    p = np.asarray(scores, dtype=float)
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order])
    precision = tp / np.arange(1, len(y) + 1)
    # Only the last row of a run of tied scores is a threshold one can actually set.
    last_of_tie = np.append(p[order][1:] != p[order][:-1], True)
    ok = np.flatnonzero((precision >= min_precision) & last_of_tie & (tp > 0))
    # No threshold reaches the bound: flag nothing as spam rather than hide readers.
    return float(p[order][ok[-1]]) if len(ok) else float(np.nextafter(1.0, 2.0))
