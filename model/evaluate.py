"""Evaluate a trained model on a labelled file; the metrics JSON is the last line of stdout."""

import argparse
import json
import sys
from collections.abc import Sequence

from model import artifact, corpora
from model.cli import add_model_arguments, load_chosen
from model.metrics import metrics


def evaluate(classifier: artifact.Classifier, dataset: corpora.Dataset) -> dict:
    """Return the model's metrics on a dataset at its serving threshold, plus those at 0.5."""
    scores = classifier.score_many(dataset.records)
    result = metrics(dataset.labels, scores, classifier.threshold)
    result["at_0.5"] = metrics(dataset.labels, scores, 0.5)
    result["model_version"] = classifier.version
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation command line."""
    parser = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__)
    parser.add_argument(
        "data", metavar="DATA", help="labelled file: YouTube CSV, SMS TSV or content,label CSV"
    )
    add_model_arguments(parser)
    args = parser.parse_args(argv)
    classifier = load_chosen(args)
    if classifier is None:
        return 2
    try:
        dataset = corpora.load(args.data)
    except corpora.CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = evaluate(classifier, dataset)
    print(f"model {classifier.version}, threshold {classifier.threshold:.4f}")
    print(f"{args.data}: {result['n']} rows, {result['spam']} spam")
    for key in ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "pr_auc", "brier"):
        value = result[key]
        print(f"  {key:9} {'n/a' if value is None else f'{value:.4f}'}")
    print(f"  confusion {result['confusion']}")
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
