"""Keep an imported history: each comment once, scored, with its source's verdict as a label.

A run is one transaction: a source that fails outright (ImportFailure, a lost connection)
leaves nothing behind, and running the same import again adds nothing, since each comment
is keyed by its site, its source's name and its id there. Records are read and written in
batches, so memory does not grow with the history.
"""

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import marshmallow as ma
import sqlalchemy as sa

from model.corpora import RECORD_FIELDS

from .. import admission, comments, scoring
from ..db import db
from ..schemas import CommentIn
from ..tables import Comment, ModerationAction, Site, Status
from . import Imported, Problem

BATCH = 500
# The fields of an imported comment the API would validate on a submission. An email may
# be missing: Disqus's exports of recent years carry none, and the verdict is still a label.
_CHECKED = ("post_id", "author_name", "author_email", "author_url", "content", "user_ip")
_schema = CommentIn(only=_CHECKED, partial=("author_email",))


@dataclass
class Report:
    """What a run did so far: comments added by status, already there, and refused."""

    added: Counter = field(default_factory=Counter)
    unchanged: int = 0
    problems: int = 0

    @property
    def read(self) -> int:
        """How many records the source has yielded."""
        return self.added.total() + self.unchanged + self.problems


def via(source: str) -> str:
    """Who a decision of the import is attributed to, in each comment's history."""
    return f"import of {source}"[:200]


def run(
    site: Site,
    source: str,
    items: Iterable[Imported | Problem],
    on_problem: Callable[[Problem], None],
    on_progress: Callable[[Report], None],
) -> Report:
    """Store every importable comment of a source for a site; commit once at the end.

    on_problem hears of each record that cannot be imported, on_progress of each batch.
    Any exception rolls the whole run back before it propagates.
    """
    report, orphans = Report(), []
    try:
        for batch in _batched(iter(items)):
            orphans += _store(site, source, batch, report, on_problem)
            on_progress(report)
        _adopt(site, source, orphans)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _batched(items: Iterator[Imported | Problem]) -> Iterator[list[Imported | Problem]]:
    while batch := list(itertools.islice(items, BATCH)):
        yield batch


def _store(
    site: Site,
    source: str,
    batch: list[Imported | Problem],
    report: Report,
    on_problem: Callable[[Problem], None],
) -> list[tuple[int, str]]:
    """Validate, score and insert one batch; parents resolve against what is stored so far.

    Returns the replies whose parent was not stored yet: (comment id, parent's source id).
    """
    records: list[Imported] = []
    for item in batch:
        problem = item if isinstance(item, Problem) else _invalid(source, item)
        if problem is None:
            records.append(item)
        else:
            report.problems += 1
            on_problem(problem)
    known = _stored_ids(site, source, {r.source_id for r in records} | _parents(records))
    decisions, orphans = [], []
    for record in records:
        if record.source_id in known:
            report.unchanged += 1
            continue
        comment_id = _insert(site, source, record, known.get(record.parent_source_id))
        known[record.source_id] = comment_id
        if record.parent_source_id is not None and record.parent_source_id not in known:
            orphans.append((comment_id, record.parent_source_id))
        report.added[record.status] += 1
        if record.status != Status.PENDING:
            decisions.append(
                {
                    "comment_id": comment_id,
                    "via": via(source),
                    "from_status": Status.PENDING,
                    "to_status": record.status,
                    "created_at": record.created_at,
                }
            )
    if decisions:
        db.session.execute(sa.insert(ModerationAction), decisions)
    return orphans


_table = Comment.__table__
_ADOPT = (
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("child"))
    .values(parent_id=sa.bindparam("parent"), version=_table.c.version + 1)
)


def _adopt(site: Site, source: str, orphans: list[tuple[int, str]]) -> None:
    """Attach the replies that came before their parents, once every parent is stored."""
    for start in range(0, len(orphans), BATCH):
        chunk = orphans[start : start + BATCH]
        parents = _stored_ids(site, source, {parent for _, parent in chunk})
        adopted = [
            {"child": comment_id, "parent": parents[parent]}
            for comment_id, parent in chunk
            if parent in parents
        ]
        if adopted:
            db.session.execute(_ADOPT, adopted)


def _invalid(source: str, record: Imported) -> Problem | None:
    """Refuse what the API would refuse on a submission, naming the fields."""
    fields = {name: getattr(record, name) for name in _CHECKED}
    if not fields["author_email"]:
        del fields["author_email"]
    try:
        _schema.load(fields)
    except ma.ValidationError as error:
        wrong = "; ".join(f"{name}: {' '.join(map(str, v))}" for name, v in error.messages.items())
        return Problem(record.where or f"{source} comment {record.source_id}", wrong)
    return None


def _parents(records: list[Imported]) -> set[str]:
    return {r.parent_source_id for r in records if r.parent_source_id is not None}


def _stored_ids(site: Site, source: str, source_ids: set[str]) -> dict[str, int]:
    """Which of these source ids this site already holds from this source, and as what id."""
    if not source_ids:
        return {}
    query = sa.select(Comment.import_id, Comment.id).where(
        Comment.site_id == site.id,
        Comment.import_source == source,
        Comment.import_id.in_(source_ids),
    )
    return dict(db.session.execute(query).all())


def _insert(site: Site, source: str, record: Imported, parent_id: int | None) -> int:
    """Insert one imported comment, scored by the serving model; return its id.

    Its fingerprint (the duplicate key of submissions) is kept unless another comment
    holds it already: histories do hold the same words posted twice, and both are labels.
    """
    data = {name: getattr(record, name) for name in (*RECORD_FIELDS, "user_ip", "user_agent")}
    score = scoring.score({name: data[name] for name in RECORD_FIELDS})
    fingerprint = admission.fingerprint(
        site.id, record.post_id, record.author_email, record.content
    )
    row = {
        **data,
        "site_id": site.id,
        "parent_id": parent_id,
        "status": record.status,
        "spam_score": score.value,
        "model_version": score.model_version,
        "reasons": [f"imported: {record.status} in {source}"],
        "created_at": record.created_at,
        "fingerprint": fingerprint,
        "import_source": source,
        "import_id": record.source_id,
    }
    stored = comments.insert_once(row) or comments.insert_once({**row, "fingerprint": None})
    return stored.id
