"""Draw the training report: PR curves, the reliability curve and the confusion matrix."""

from pathlib import Path

import numpy as np


def write_report(path: Path, labels, scores, groups, threshold: float, title: str) -> None:
    """Save a PNG of the held-out predictions: PR curve, reliability curve, confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import confusion_matrix, precision_recall_curve

    y, p, g = np.asarray(labels), np.asarray(scores), np.asarray(groups)
    figure, (pr, reliability, matrix) = plt.subplots(1, 3, figsize=(15, 4.8))
    for group in dict.fromkeys(g):
        rows = g == group
        if len(np.unique(y[rows])) == 2:
            precision, recall, _ = precision_recall_curve(y[rows], p[rows])
            pr.plot(recall, precision, label=group, linewidth=1)
    precision, recall, _ = precision_recall_curve(y, p)
    pr.plot(recall, precision, label="all held-out", color="black", linewidth=2)
    pr.axhline(0.99, color="grey", linestyle=":", label="precision 0.99")
    pr.set(
        xlabel="recall (spam)",
        ylabel="precision (spam)",
        title="Precision-recall, grouped CV",
        ylim=(0.5, 1.01),
    )
    pr.legend(fontsize=8, loc="lower left")

    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
    reliability.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    reliability.plot(predicted, observed, marker="o", color="black", label="model")
    reliability.set(
        xlabel="mean predicted spam probability",
        ylabel="observed spam fraction",
        title="Reliability (10 quantile bins)",
    )
    reliability.legend(fontsize=8, loc="upper left")

    counts = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1])
    matrix.imshow(counts, cmap="Blues")
    for (row, column), value in np.ndenumerate(counts):
        matrix.text(
            column,
            row,
            str(value),
            ha="center",
            va="center",
            fontsize=14,
            color="white" if value > counts.max() / 2 else "black",
        )
    matrix.set(
        xticks=[0, 1],
        yticks=[0, 1],
        xticklabels=["ham", "spam"],
        yticklabels=["ham", "spam"],
        xlabel="predicted",
        ylabel="actual",
        title=f"Confusion at threshold {threshold:.3f}",
    )
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
