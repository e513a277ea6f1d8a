"""Make any number of plausible labelled comments by recombining the shipped corpora."""

import random
from collections.abc import Iterator

from model import corpora
from model.train import DATA_DIR, DEFAULT_FILES


def corpus() -> corpora.Dataset:
    """The shipped YouTube training comments, the seed of every synthetic comment."""
    return corpora.load_all(DATA_DIR / name for name in DEFAULT_FILES)


def comments(count: int, seed: int = 0) -> Iterator[dict]:
    """Yield labelled records: a real comment's words, spliced with another of its label's."""
    data = corpus()
    rng = random.Random(seed)
    by_label = {0: [], 1: []}
    for record, label in zip(data.records, data.labels, strict=True):
        by_label[label].append(record["content"].split())
    for index in range(count):
        label = index % 2
        head, tail = rng.choice(by_label[label]), rng.choice(by_label[label])
        cut = rng.randint(0, len(head))
        yield {
            "content": " ".join(head[:cut] + tail[len(tail) // 2 :] + [f"#{index}"]),
            "label": "spam" if label else "ham",
            "author_name": f"reader {rng.randrange(count // 4 + 1)}",
            "author_email": f"reader{index}@example.org",
            "post_id": f"post-{rng.randrange(1000)}",
        }
