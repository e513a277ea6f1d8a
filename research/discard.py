"""How often a score-based "discard" would drop a reader's comment: the project's hams at or
above each cut-off, held out by source on the YouTube files and scored by the served model on
the SMS collection. It is why the Akismet answer discards only on a filled honeypot."""

import argparse
import json
import sys
from collections.abc import Sequence

import numpy as np

from model import corpora, validation
from model.cli import add_model_arguments, load_chosen
from model.pipeline import serving_pipeline
from model.train import DATA_DIR, DEFAULT_FILES

CUTOFFS = (0.95, 0.99, 0.995, 0.999)


def above(labels: Sequence[int], scores: np.ndarray, cutoff: float) -> dict:
    """Count hams and spams scored at or above a cut-off."""
    y = np.asarray(labels)
    return {
        "ham": int((scores[y == 0] >= cutoff).sum()),
        "hams": int((y == 0).sum()),
        "spam": int((scores[y == 1] >= cutoff).sum()),
        "spams": int((y == 1).sum()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print, per cut-off, the hams and spams a score-based discard would drop; JSON last."""
    parser = argparse.ArgumentParser(prog="python -m research.discard", description=__doc__)
    add_model_arguments(parser)
    args = parser.parse_args(argv)
    classifier = load_chosen(args)
    if classifier is None:
        return 2
    videos = corpora.load_all(DATA_DIR / name for name in DEFAULT_FILES)
    held_out = validation.held_out_scores(serving_pipeline, videos)
    sms = corpora.load(DATA_DIR / "SMSSpamCollection")
    sms_scores = np.asarray(classifier.score_many(sms.records))
    result = {
        str(cutoff): {
            "youtube_held_out": above(videos.labels, held_out, cutoff),
            "sms": above(sms.labels, sms_scores, cutoff),
        }
        for cutoff in CUTOFFS
    }
    for cutoff, counts in result.items():
        youtube, texts = counts["youtube_held_out"], counts["sms"]
        print(
            f">= {cutoff}: YouTube hams {youtube['ham']}/{youtube['hams']}, "
            f"spams {youtube['spam']}/{youtube['spams']}; "
            f"SMS hams {texts['ham']}/{texts['hams']}, spams {texts['spam']}/{texts['spams']}"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
