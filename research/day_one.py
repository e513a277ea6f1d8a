"""Day one before and after importing a site's history, measured on a probe of news comments.

`python -m research.day_one`: the shipped model (MODEL_DIR/LATEST, loaded as the service
loads it) scores the hand-written probe set (research/data/probe_news.csv) and the history's
newest decisions; then the retrain recipe runs on the imported history exactly as
`flask model retrain` would after `flask --app wsgi import csv` (its decided comments as
site labels, oldest first; a challenger trained on the older ones and judged on the newest,
refitted on all of them if it wins). The challenger's figures on the newest slice, which it
never saw, say how well the import predicts the site's next decisions; the served model's
figures on the probe say what it generalises to. "Routed to spam" is the service's rule:
a score at or above the spam threshold, the model's own, as for a site that sets no
spam_threshold while SPAM_THRESHOLD is unset. Prints a Markdown table, the issue's targets
and the probe readers the served model sends to spam; the last line is one JSON object.
The probe is only ever scored: nothing here trains or chooses a threshold on it.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from model import corpora
from research import import_recipe as recipe

DATA = Path(__file__).resolve().parent / "data"
PROBE = DATA / "probe_news.csv"
HISTORY = DATA / "site_history.csv"
# The targets for the model after an import, at the serving threshold.
TARGET_RECALL, TARGET_MCC = 0.85, 0.9
HEADER = (
    "| when | model | comments | threshold | precision | recall | MCC | readers routed to spam |\n"
    "|---|---|---|---|---|---|---|---|"
)


def _rows(when: str, model: str, comments: str, actual, scored, threshold: float) -> list[dict]:
    """Figures of one model on one set, at the serving threshold and at 0.5."""
    return [
        {"when": when, "model": model, "comments": comments, **recipe.figures(actual, scored, cut)}
        for cut in (threshold, 0.5)
    ]


def _markdown(row: dict) -> str:
    """One row of the figures table."""
    return (
        f"| {row['when']} | {row['model']} | {row['comments']} | {row['threshold']:.3f} | "
        f"{row['precision']:.3f} | {row['recall']:.3f} | {row['mcc']:.3f} | "
        f"{row['readers_to_spam']} of {row['readers']} |"
    )


def targets(probe: dict, newest: dict) -> list[dict]:
    """The issue's targets, judged after the import at the serving threshold."""
    checks = []
    for where, row in (("probe", probe), ("newest slice", newest)):
        checks += [
            {
                "target": f"no reader routed to spam, {where}",
                "value": row["readers_to_spam"],
                "met": row["readers_to_spam"] == 0,
            },
            {
                "target": f"spam recall at routing >= {TARGET_RECALL}, {where}",
                "value": row["recall"],
                "met": row["recall"] >= TARGET_RECALL,
            },
        ]
    mcc = newest["mcc"]
    checks.append(
        {
            "target": f"MCC >= {TARGET_MCC} on the site's newer comments",
            "value": mcc,
            "met": mcc >= TARGET_MCC,
        }
    )
    return checks


def _table(probe: corpora.Dataset, served: np.ndarray, champion, after) -> list[dict]:
    """Before and after, on the probe and on the newest slice, at both thresholds.

    served: the probe's scores by the model that serves after the retrain.
    """
    newest = after.tested
    on_probe, on_newest = np.asarray(probe.labels), recipe.truth(newest)
    served_as = "retrained on the history" if after.promoted else "shipped (kept)"
    slice_name = f"newest {len(newest)}"
    return [
        *_rows(
            "before",
            "shipped",
            "probe",
            on_probe,
            recipe.scores(champion, probe.records),
            champion.threshold,
        ),
        *_rows(
            "before",
            "shipped",
            slice_name,
            on_newest,
            recipe.scores(champion, newest),
            champion.threshold,
        ),
        *_rows(
            "after",
            "challenger (older labels)",
            slice_name,
            on_newest,
            recipe.scores(after.challenger, newest),
            after.threshold,
        ),
        *_rows("after", served_as, "probe", on_probe, served, after.threshold),
    ]


def measure(probe_path: Path, history_path: Path, champion) -> dict:
    """Score the probe and the newest slice before and after retraining on the history."""
    probe, labels = corpora.load(probe_path), recipe.decided(history_path)
    chosen = recipe.options()
    after = recipe.run(corpora.load_all(chosen.corpora), labels, champion, chosen)
    served = recipe.scores(after.served(champion), probe.records)
    rows, newest = _table(probe, served, champion, after), after.tested
    return {
        "champion": champion.version,
        "threshold": after.threshold,
        "probe": {"file": str(probe_path), "comments": len(probe.labels)},
        "history": {
            "file": str(history_path),
            "labels": len(labels),
            "newest": len(newest),
            "newest_from": newest[0]["created_at"].isoformat() if newest else None,
        },
        "promoted": after.promoted,
        "decided_by": after.evaluation.metric,
        "rows": rows,
        "targets": targets(probe=rows[6], newest=rows[4]),
        "probe_readers_to_spam": _flagged(probe, served, after.threshold),
    }


def _flagged(probe: corpora.Dataset, scored: np.ndarray, threshold: float) -> list[dict]:
    """The probe's readers a model routes to spam, highest score first."""
    found = [
        {"score": round(float(score), 3), "content": record["content"]}
        for record, label, score in zip(probe.records, probe.labels, scored, strict=True)
        if label == 0 and score >= threshold
    ]
    return sorted(found, key=lambda item: -item["score"])


def report(result: dict) -> str:
    """Render the figures, the targets and the flagged readers for a person."""
    history = result["history"]
    lines = [
        f"champion {result['champion']}, serving threshold {result['threshold']:.3f}",
        f"history: {history['labels']} decided comments; the newest {history['newest']} "
        f"(from {history['newest_from']}) held out; challenger "
        f"{'promoted' if result['promoted'] else 'not promoted'} (by {result['decided_by']})",
        "",
        HEADER,
        *(_markdown(row) for row in result["rows"]),
        "",
        "targets after the import, at the serving threshold:",
        *(
            f"- {check['target']}: {check['value']} — {'met' if check['met'] else 'NOT met'}"
            for check in result["targets"]
        ),
        "",
        "probe readers routed to spam after the import:",
        *(
            f"- {item['score']:.3f} {item['content'][:110]}"
            for item in result["probe_readers_to_spam"]
        ),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Print day one before and after an import; the last line is JSON."""
    parser = argparse.ArgumentParser(prog="python -m research.day_one", description=__doc__)
    parser.add_argument("--probe", type=Path, default=PROBE, help=f"default {PROBE}")
    parser.add_argument("--history", type=Path, default=HISTORY, help=f"default {HISTORY}")
    args = parser.parse_args(argv)
    champion = recipe.champion()
    if champion is None:
        return recipe.fail("no model in MODEL_DIR: run make train first")
    try:
        result = measure(args.probe, args.history, champion)
    except (corpora.CorpusError, recipe.HistoryError, OSError) as error:
        return recipe.fail(str(error))
    print(report(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
