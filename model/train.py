"""Train the spam classifier with grouped CV and write a versioned, verifiable model folder."""

import argparse
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from model import artifact, corpora, selftrain, validation
from model.artifact import signing_key
from model.cli import add_key_argument
from model.metrics import MIN_PRECISION, choose_threshold, metrics
from model.pipeline import MODEL_DESCRIPTION, serving_pipeline

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILES = ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv")


def held_out_metrics(dataset: corpora.Dataset, scores: np.ndarray, threshold: float) -> dict:
    """Return pooled and per-source metrics of held-out scores at the threshold and at 0.5."""
    y, g = np.asarray(dataset.labels), np.asarray(dataset.groups)
    scored = ~np.isnan(scores)
    per_source = {
        group: {
            "at_threshold": metrics(y[rows], scores[rows], threshold),
            "at_0.5": metrics(y[rows], scores[rows], 0.5),
        }
        for group in dict.fromkeys(dataset.groups)
        if (rows := (g == group) & scored).any()
    }
    return {
        "protocol": validation.protocol(dataset),
        "pooled": metrics(y[scored], scores[scored], threshold),
        "pooled_at_0.5": metrics(y[scored], scores[scored], 0.5),
        "per_source": per_source,
    }


def train(
    dataset: corpora.Dataset,
    out: str | Path,
    secret: str,
    log=validation.log,
    unlabelled: Iterable[Mapping] = (),
) -> Path:
    """Cross-validate, fit on everything, and write models/<version>/ plus models/LATEST.

    With unlabelled records (a site's own comments, no decision on them) the model is
    self-trained on them (model/selftrain.py), and the CV self-trains each fold on its held-out
    source's texts, so the held-out figures and the threshold describe the same procedure.
    """
    started = time.perf_counter()
    unlabelled = [corpora.as_record(record) for record in unlabelled]
    if len(set(dataset.labels)) < 2:
        raise corpora.CorpusError("training needs both spam and ham rows")
    log(
        f"training on {len(dataset.labels)} rows ({sum(dataset.labels)} spam) "
        f"from {len(set(dataset.groups))} sources; {validation.protocol(dataset)}"
    )
    fit_fold = selftrain.on_held_out(serving_pipeline, dataset) if unlabelled else None
    scores = validation.held_out_scores(serving_pipeline, dataset, fit_fold=fit_fold)
    threshold = choose_threshold(dataset.labels, scores, MIN_PRECISION)
    evaluation = held_out_metrics(dataset, scores, threshold)
    pooled, half = evaluation["pooled"], evaluation["pooled_at_0.5"]
    log(
        f"held-out: threshold {threshold:.4f} gives precision {pooled['precision']:.3f}, "
        f"recall {pooled['recall']:.3f}; at 0.5 F1 {half['f1']:.3f}"
    )
    if unlabelled:
        log(f"fitting the final model on all rows, self-trained on {len(unlabelled)} unlabelled")
        pipeline = selftrain.self_train(serving_pipeline, dataset, unlabelled)
        evaluation["protocol"] += (
            "; each fold self-trained on its held-out source's texts "
            f"(pseudo-labels at p <= {selftrain.LOW} or >= {selftrain.HIGH}, "
            f"at most {selftrain.ROUNDS} rounds)"
        )
    else:
        log("fitting the final model on all rows")
        pipeline = validation.fit(serving_pipeline, dataset)
    data = artifact.dump(pipeline)
    facts = {
        "model": MODEL_DESCRIPTION
        + (f"; self-trained on {len(unlabelled)} unlabelled comments" if unlabelled else ""),
        "data": dataset.sources,
        "rows": len(dataset.labels),
        "unlabelled_rows": len(unlabelled),
        "threshold": threshold,
        "threshold_rule": f"lowest held-out score with spam precision >= {MIN_PRECISION}",
        "metrics": evaluation,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    manifest = artifact.new_manifest(data, facts)
    version = manifest["version"]
    folder = Path(out) / version
    artifact.save(folder, data, manifest, secret)
    from model.report import write_report

    write_report(
        folder / artifact.REPORT,
        dataset.labels,
        scores,
        dataset.groups,
        threshold,
        f"Moderato spam model {version}: held-out predictions ({validation.protocol(dataset)})",
    )
    artifact.promote(Path(out), folder)
    log(f"wrote {folder} ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")
    return folder


def train_files(
    paths: Sequence[str | Path],
    out: str | Path,
    secret: str,
    extra: Iterable[Mapping] = (),
    unlabelled_paths: Sequence[str | Path] = (),
) -> Path:
    """Train on corpus files plus extra labelled records (with optional per-record weights),
    self-training on the comments of unlabelled_paths (their labels, if any, are ignored)."""
    dataset = corpora.load_all(paths)
    dataset.extend(corpora.labelled(extra))
    unlabelled = corpora.load_all(unlabelled_paths).records if unlabelled_paths else ()
    return train(dataset, out, secret, unlabelled=unlabelled)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the training command line."""
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__)
    parser.add_argument(
        "--out", default="models", help="folder of model versions (default: models)"
    )
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="FILE",
        default=[str(DATA_DIR / name) for name in DEFAULT_FILES],
        help="YouTube CSV, SMS TSV or content,label CSV files (default: the YouTube files)",
    )
    parser.add_argument(
        "--unlabelled",
        nargs="+",
        metavar="FILE",
        default=[],
        help="a site's own comments in any of those formats, labels ignored: self-train on "
        "them (docs/model.md, Round 4; default: none)",
    )
    add_key_argument(parser)
    args = parser.parse_args(argv)
    try:
        folder = train_files(
            args.data, args.out, signing_key(args.key_file), unlabelled_paths=args.unlabelled
        )
    except (corpora.CorpusError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
