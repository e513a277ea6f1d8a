"""How campaigns group: a campaign posted in 30 wordings among readers' comments.

`python -m research.campaign_groups`: for each seed, the crypto-recovery campaign of
research/campaign.py (a fake victim vouching for a "recovery expert": other sentences, names,
amounts, phone numbers, handles, addresses and sites in every wording) is posted 30 times,
and so is the investment campaign of research/site_history.py (its fresh wording), in random
order among the readers of research/data (145 of probe_news.csv, 1,239 of site_history.csv)
and 100 readers of research/campaign.py's article, who write about the same losses and warn
against these very scams. Every comment goes through the service's own submission
(service.comments.submit, on a fresh SQLite database), so it is grouped as the service groups
it: MinHash LSH buckets in the database, bounded reads, exact comparison of the best
candidates. Then it counts, per campaign, how many wordings landed in its largest group and
how many readers' comments were grouped with it (the goal: all 30, and none), and how many
readers were grouped with other readers (template-made readers repeat their sentences, so
those are near-duplicates in fact). It also gives what comparing every pair would give (the
similarity margins that choose the threshold), so the LSH's losses, if any, show.

`--sweep` adds the same grouping with datasketch's own in-memory MinHashLSH at 16 to 128
permutations (bands chosen by datasketch for the threshold), to show what more permutations
would buy. Prints Markdown tables; the last line is one JSON object.
"""

import argparse
import csv
import itertools
import json
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from datasketch import MinHash, MinHashLSH

from research import campaign, site_history
from service import campaigns, comments, create_app, migrate
from service.clock import now
from service.config import ROOT
from service.db import db
from service.errors import Conflict
from service.schemas import CommentIn
from service.tables import Comment, Site

DATA = Path(__file__).resolve().parent / "data"
READER_FILES = ("probe_news.csv", "site_history.csv")
WORDINGS = 30
ARTICLE_READERS = 100
CAMPAIGNS = {
    "crypto recovery (research.campaign)": lambda rng: campaign.spam(rng),
    "investment (research.site_history, fresh wording)": lambda rng: site_history.campaign(
        rng, site_history.FRESH
    ),
}
SWEEP_PERMUTATIONS = (16, 32, 64, 128)


def data_readers() -> list[dict]:
    """The news-site readers of research/data, labelled ham there, with their source."""
    found = []
    for name in READER_FILES:
        with (DATA / name).open(newline="", encoding="utf-8") as file:
            found += [
                {**row, "kind": f"reader ({name})"}
                for row in csv.DictReader(file)
                if row["label"] == "ham"
            ]
    return found


def posted(seed: int, readers: list[dict], wordings: int) -> list[dict]:
    """One run's comments in posting order: each campaign's wordings among the readers."""
    rng = random.Random(seed)
    mixed = list(readers)
    mixed += [
        {**campaign.ham(rng), "kind": "reader (research.campaign)"} for _ in range(ARTICLE_READERS)
    ]
    for kind, make in CAMPAIGNS.items():
        mixed += [_language({**make(rng), "kind": kind}) for _ in range(wordings)]
    rng.shuffle(mixed)
    return mixed


def _language(record: dict) -> dict:
    """Name a campaign's Russian wordings apart: words in two alphabets share no word pair."""
    if re.search(
        "[\N{CYRILLIC SMALL LETTER A}-\N{CYRILLIC SMALL LETTER YA}]", record["content"], re.I
    ):
        record["kind"] += ", in Russian"
    return record


def _is_reader(record: dict) -> bool:
    return record["kind"].startswith("reader")


def _body(record: dict, number: int) -> dict:
    """The submission a site's back end would send for a record."""
    fields = ("post_id", "author_name", "author_email", "content")
    body = {name: record[name] for name in fields}
    # A submission must carry an email; the research files leave a few out.
    body["author_email"] = record["author_email"] or f"reader{number}@example.org"
    body["author_url"] = record.get("author_url") or None
    body["user_ip"] = f"198.51.100.{number % 250}"
    return body


def through_the_service(records: list[dict]) -> list[int | None]:
    """Submit every record in turn as the API does; return each one's campaign (None: none)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'campaigns.db'}"
        config = {"DATABASE_URL": url, "SECRET_KEY": _secret(), "LOG_JSON": False}
        app = create_app(config)
        with app.app_context():
            migrate.upgrade(db.engine)
            site = Site(name="news", key_id="research", key_hash="-", created_at=now())
            db.session.add(site)
            db.session.commit()
            ids = []
            for number, record in enumerate(records):
                data = CommentIn().load(_body(record, number))
                try:
                    ids.append(comments.submit(site, data, screen=False).id)
                except Conflict:  # the same author's same words on the same post
                    ids.append(None)
            found = dict(db.session.execute(sa.select(Comment.id, Comment.campaign_id)).all())
            db.engine.dispose()
    return [found.get(comment_id) for comment_id in ids]


def _secret() -> str:
    """The key the shipped model is signed with, so the service scores as it serves."""
    path = ROOT / "instance" / "secret_key"
    return path.read_text().strip() if path.exists() else "research"


def outcome(records: list[dict], groups: list) -> dict[str, dict]:
    """Per campaign: its wordings posted, how many are in its largest group, how many readers
    were grouped with it; and, per source, the readers grouped with other readers only."""
    pairs = list(zip(records, groups, strict=True))
    result = {}
    for kind in sorted({r["kind"] for r in records if not _is_reader(r)}):
        own = Counter(group for r, group in pairs if r["kind"] == kind)
        largest, count = max(own.items(), key=lambda item: (item[0] is not None, item[1]))
        result[kind] = {
            "posted": own.total(),
            "in_largest_group": count if largest is not None else 1,
            "readers_with_it": sum(
                group is not None and group in own for r, group in pairs if _is_reader(r)
            ),
        }
    sizes = Counter(group for group in groups if group is not None)
    spam = {group for r, group in pairs if not _is_reader(r)}
    result["readers grouped with readers"] = Counter(
        r["kind"]
        for r, group in pairs
        if _is_reader(r) and group is not None and group not in spam and sizes[group] > 1
    )
    return result


def margins(records: list[dict]) -> dict[str, dict]:
    """Per campaign: the least similarity of a wording to its nearest other wording, the most
    of a wording to any reader (the threshold must fall between), and whether comparing every
    pair (campaigns.alike) would link all its wordings."""
    shingles = [campaigns.pairs(campaigns.tokens(r["content"])) for r in records]
    readers = [
        shingle
        for r, shingle in zip(records, shingles, strict=True)
        if _is_reader(r) and len(shingle) >= campaigns.MIN_WORDS - 1
    ]
    found = {}
    for kind in sorted({r["kind"] for r in records if not _is_reader(r)}):
        own = [shingle for r, shingle in zip(records, shingles, strict=True) if r["kind"] == kind]
        found[kind] = {
            "nearest_wording_min": min(max(_jaccard(a, b) for b in own if b is not a) for a in own),
            "reader_max": max(_jaccard(a, b) for a in own for b in readers),
            "linked_when_every_pair_compared": _linked(own) == len(own),
        }
    return found


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _linked(own: list[set]) -> int:
    """The largest group that comparing every pair of wordings (campaigns.alike) makes."""
    parent = list(range(len(own)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(own)), 2):
        if campaigns.alike(own[i], own[j]):
            parent[root(i)] = root(j)
    return max(Counter(root(i) for i in range(len(own))).values())


def in_memory(records: list[dict], num_perm: int) -> list[int | None]:
    """Group as the service does, with datasketch's in-memory MinHashLSH and no read bounds."""
    index = MinHashLSH(threshold=campaigns.THRESHOLD, num_perm=num_perm, weights=(0.2, 0.8))
    shingles, groups, parent = [], [], {}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for number, record in enumerate(records):
        words = campaigns.tokens(record["content"])
        shingles.append(campaigns.pairs(words))
        parent[number] = number
        if len(words) < campaigns.MIN_WORDS:
            continue
        signature = MinHash(num_perm=num_perm, seed=1, scheme="affine32")
        signature.update_batch([s.encode() for s in shingles[number]])
        alike = [
            j for j in index.query(signature) if campaigns.alike(shingles[number], shingles[j])
        ]
        for other in {root(j) for j in alike}:
            parent[other] = number
        index.insert(number, signature)
    groups = [root(i) for i in range(len(records))]
    sizes = Counter(groups)
    return [g if sizes[g] > 1 else None for g in groups]


def _table(title: str, rows: list[dict]) -> str:
    """A Markdown table of the rows' keys and values."""
    head = list(rows[0])
    lines = [f"\n{title}\n", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(row[key]) for key in head) + " |" for row in rows]
    return "\n".join(lines)


def _summary(runs: list[dict], how: str) -> list[dict]:
    """One row per campaign: how often and how fully it was grouped, over the runs."""
    rows = []
    for kind in sorted({kind for run in runs for kind in run}):
        own = [run[kind] for run in runs if kind in run]
        whole = sum(run["in_largest_group"] == run["posted"] for run in own)
        rows.append(
            {
                "grouped by": how,
                "campaign": kind,
                "wordings posted": sum(run["posted"] for run in own),
                "runs with all in one group": f"{whole} of {len(own)}",
                "left out of its largest group": sum(
                    run["posted"] - run["in_largest_group"] for run in own
                ),
                "readers wrongly grouped with it": sum(run["readers_with_it"] for run in own),
            }
        )
    return rows


def _margin_summary(rows: list[dict]) -> list[dict]:
    """One row per campaign: the similarity margins over every run."""
    return [
        {
            "campaign": kind,
            "least similarity of a wording to its nearest": round(
                min(r["nearest_wording_min"] for r in rows if r["campaign"] == kind), 3
            ),
            "most similarity of a wording to a reader": round(
                max(r["reader_max"] for r in rows if r["campaign"] == kind), 3
            ),
            "runs where comparing every pair links all": sum(
                r["linked_when_every_pair_compared"] for r in rows if r["campaign"] == kind
            ),
        }
        for kind in sorted({r["campaign"] for r in rows})
    ]


def main(argv=None) -> int:
    """Post the campaigns among readers for each seed; print how they were grouped."""
    parser = argparse.ArgumentParser(
        prog="python -m research.campaign_groups",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seeds", type=int, default=10, help="runs, each its own order (10)")
    parser.add_argument("--first-seed", type=int, default=1000, help="seed of the first run")
    parser.add_argument("--wordings", type=int, default=WORDINGS, help="of each campaign (30)")
    parser.add_argument("--sweep", action="store_true", help="also datasketch's in-memory LSH")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.wordings < 2:
        parser.error("--seeds must be at least 1 and --wordings at least 2")
    readers = data_readers()
    served, margin_rows, together = [], [], Counter()
    swept: dict[int, list] = {n: [] for n in SWEEP_PERMUTATIONS if args.sweep}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        records = posted(seed, readers, args.wordings)
        run = outcome(records, through_the_service(records))
        together.update(run.pop("readers grouped with readers"))
        served.append(run)
        margin_rows += [{"campaign": k, **v} for k, v in margins(records).items()]
        for num_perm, runs in swept.items():
            runs.append(outcome(records, in_memory(records, num_perm)))
            runs[-1].pop("readers grouped with readers")
        print(f"seed {seed}: {json.dumps(run)}", file=sys.stderr, flush=True)
    rows = _summary(served, f"the service ({campaigns.NUM_PERM} permutations)")
    for num_perm, runs in swept.items():
        rows += _summary(runs, f"in-memory MinHashLSH, {num_perm} permutations")
    print(_table(f"Campaigns posted in {args.wordings} wordings among readers' comments", rows))
    margin = _margin_summary(margin_rows)
    print(_table(f"Jaccard of word pairs (threshold {campaigns.THRESHOLD})", margin))
    print(f"\nreaders grouped with other readers only, in all runs: {dict(together)}")
    print(json.dumps({"runs": rows, "margins": margin, "readers_with_readers": dict(together)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
