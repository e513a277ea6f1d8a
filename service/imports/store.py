"""Keep an imported history: each comment once, scored, with its source's verdict as a label.

Each batch is committed as it is stored, so an interrupted import (Ctrl-C, SIGTERM, a lost
connection, a crash) keeps what it stored, and running it again continues: each comment is
keyed by its site, its source's name and its id there, so one query per batch finds the ones
already stored, which are skipped before they are validated or scored, and a second complete
run adds nothing. A source that can say how far it has read (`Resume`) has that mark saved
with each batch and is read again only from there. A reply stored before its parent keeps
the parent's id there, and each run attaches such replies at its end in one statement, so no
run holds them in memory: a run holds one batch, however long the history.
"""

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from model.corpora import RECORD_FIELDS

from .. import admission, comments, scoring
from ..clock import now
from ..db import db
from ..schemas import CommentIn
from ..tables import Comment, ImportProgress, ModerationAction, Site, Status
from . import Imported, Problem

BATCH = 500
# The fields of an imported comment the API would validate on a submission. An email may
# be missing: Disqus's exports of recent years carry none, and the verdict is still a label.
_CHECKED = ("post_id", "author_name", "author_email", "author_url", "content", "user_ip")
_schema = CommentIn(only=_CHECKED, partial=("author_email",))


@dataclass(frozen=True)
class Resume:
    """A source that can say how far it has read, and start reading from there.

    after is where an interrupted run of it stopped (None: it starts from the beginning);
    mark says how far the records yielded so far go, in the source's own terms.
    """

    after: str | None
    mark: Callable[[], str]


@dataclass
class Report:
    """What a run did so far: comments added by status, already there, and refused.

    resumed_after is where an interrupted run had stopped: the records up to it were
    stored or reported by that run, and this one did not read them again.
    """

    added: Counter = field(default_factory=Counter)
    unchanged: int = 0
    problems: int = 0
    resumed_after: str | None = None

    @property
    def read(self) -> int:
        """How many records the source has yielded."""
        return self.added.total() + self.unchanged + self.problems


def via(source: str) -> str:
    """Who a decision of the import is attributed to, in each comment's history."""
    return f"import of {source}"[:200]


def resume_point(site: Site, source: str) -> str | None:
    """Where an unfinished import of a source into a site stopped, or None."""
    return db.session.scalar(
        sa.select(ImportProgress.resume_after).where(
            ImportProgress.site_id == site.id, ImportProgress.source == source
        )
    )


def run(
    site: Site,
    source: str,
    items: Iterable[Imported | Problem],
    on_problem: Callable[[Problem], None],
    on_progress: Callable[[Report], None],
    resume: Resume | None = None,
) -> Report:
    """Store every importable comment of a source for a site, committing batch by batch.

    on_problem hears of each record that cannot be imported, on_progress of each batch
    once it is committed. An exception rolls back the batch it interrupts, never the ones
    before it; a resumable source's mark is committed with each batch and dropped once the
    source is read to its end.
    """
    report = Report(resumed_after=resume.after if resume else None)
    site_id = site.id  # a commit expires the Site; its id is all a batch needs
    try:
        for batch in _batched(iter(items)):
            _store(site_id, source, batch, report, on_problem)
            if resume:
                _save_mark(site_id, source, resume.mark())
            db.session.commit()
            on_progress(report)
        _adopt(site_id, source)
        if resume:
            db.session.execute(sa.delete(ImportProgress).where(*_progress_of(site_id, source)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _batched(items: Iterator[Imported | Problem]) -> Iterator[list[Imported | Problem]]:
    while batch := list(itertools.islice(items, BATCH)):
        yield batch


def _progress_of(site_id: int, source: str) -> tuple[sa.ColumnElement, ...]:
    return ImportProgress.site_id == site_id, ImportProgress.source == source


def _save_mark(site_id: int, source: str, mark: str) -> None:
    """Record how far a resumable source was read, in the transaction of the batch read."""
    updated = db.session.execute(
        sa.update(ImportProgress)
        .where(*_progress_of(site_id, source))
        .values(resume_after=mark, updated_at=now())
    )
    if not updated.rowcount:
        db.session.add(
            ImportProgress(site_id=site_id, source=source, resume_after=mark, updated_at=now())
        )


def _store(
    site_id: int,
    source: str,
    batch: list[Imported | Problem],
    report: Report,
    on_problem: Callable[[Problem], None],
) -> None:
    """Validate, score and insert what one batch holds that is not stored yet.

    One query finds which of its comments, and of the parents they answer, are stored.
    """
    records = [item for item in batch if isinstance(item, Imported)]
    wanted = {r.source_id for r in records} | _parents(records)
    known = _stored_ids(site_id, source, wanted)
    decisions = []
    for item in batch:
        if isinstance(item, Imported) and item.source_id in known:
            report.unchanged += 1
            continue
        problem = item if isinstance(item, Problem) else _invalid(source, item)
        if problem is not None:
            report.problems += 1
            on_problem(problem)
            continue
        comment_id = _insert(site_id, source, item, known.get(item.parent_source_id))
        known[item.source_id] = comment_id
        report.added[item.status] += 1
        if item.status != Status.PENDING:
            decisions.append(
                {
                    "comment_id": comment_id,
                    "via": via(source),
                    "from_status": Status.PENDING,
                    "to_status": item.status,
                    "created_at": item.created_at,
                }
            )
    if decisions:
        db.session.execute(sa.insert(ModerationAction), decisions)


_table = Comment.__table__
_parent = _table.alias("parent")
_PARENT_ID = (
    sa.select(_parent.c.id)
    .where(
        _parent.c.site_id == _table.c.site_id,
        _parent.c.import_source == _table.c.import_source,
        _parent.c.import_id == _table.c.import_parent_id,
    )
    .scalar_subquery()
)


def _adopt(site_id: int, source: str) -> None:
    """Attach the replies stored before their parents to the parents stored since.

    One statement over the source's comments, in the database: a history imported in
    reverse can hold as many such replies as comments.
    """
    db.session.execute(
        sa.update(_table)
        .where(
            _table.c.site_id == site_id,
            _table.c.import_source == source,
            _table.c.parent_id.is_(None),
            _table.c.import_parent_id.is_not(None),
            _PARENT_ID.is_not(None),
        )
        .values(parent_id=_PARENT_ID, version=_table.c.version + 1)
    )


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


def _stored_ids(site_id: int, source: str, source_ids: set[str]) -> dict[str, int]:
    """Which of these source ids this site already holds from this source, and as what id."""
    if not source_ids:
        return {}
    values = {"site_id": site_id, "source": source, "source_ids": sorted(source_ids)}
    return dict(db.session.execute(_STORED[db.engine.dialect.name], values).all())


def _lookup(matches: sa.ColumnElement[bool], *columns: sa.ColumnElement) -> sa.Select:
    """Columns of this site's comments from this source whose id there matches."""
    return sa.select(*columns).where(
        _table.c.site_id == sa.bindparam("site_id"),
        _table.c.import_source == sa.bindparam("source"),
        matches,
    )


# PostgreSQL plans `import_id IN (...)` as a scan of the source's every comment while its
# statistics lag a large import (autovacuum analyzes after 10 % of a table changes): a batch
# took 0.3 s at 100,000 comments, and a rerun minutes. One lookup per id in a LATERAL join
# (LIMIT keeps it from being flattened) always uses the unique index. SQLite always does.
_wanted = sa.func.unnest(sa.bindparam("source_ids", type_=postgresql.ARRAY(sa.String)))
_wanted = _wanted.table_valued("import_id").render_derived(name="wanted")
_found = _lookup(_table.c.import_id == _wanted.c.import_id, _table.c.id).limit(1).lateral()
_STORED = {
    "postgresql": sa.select(_wanted.c.import_id, _found.c.id).join_from(_wanted, _found, sa.true()),
    "sqlite": _lookup(
        _table.c.import_id.in_(sa.bindparam("source_ids", expanding=True)),
        _table.c.import_id,
        _table.c.id,
    ),
}


def _insert(site_id: int, source: str, record: Imported, parent_id: int | None) -> int:
    """Insert one imported comment, scored by the serving model; return its id.

    Its fingerprint (the duplicate key of submissions) is kept unless another comment
    holds it already: histories do hold the same words posted twice, and both are labels.
    """
    data = {name: getattr(record, name) for name in (*RECORD_FIELDS, "user_ip", "user_agent")}
    score = scoring.score({name: data[name] for name in RECORD_FIELDS})
    fingerprint = admission.fingerprint(
        site_id, record.post_id, record.author_email, record.content
    )
    row = {
        **data,
        "site_id": site_id,
        "parent_id": parent_id,
        "status": record.status,
        "spam_score": score.value,
        "model_version": score.model_version,
        "reasons": [f"imported: {record.status} in {source}"],
        "created_at": record.created_at,
        "fingerprint": fingerprint,
        "import_source": source,
        "import_id": record.source_id,
        "import_parent_id": record.parent_source_id,
    }
    stored = comments.insert_once(row) or comments.insert_once({**row, "fingerprint": None})
    return stored.id
