"""Storing an imported history: once per source, verdicts as labels, batch by batch."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from support import training_labels

from service import comments, overturns, sites
from service.db import db
from service.imports import Imported, ImportFailure, Problem, store
from service.tables import Comment, ImportProgress, ModerationAction, Site, Status

SOURCE = "WordPress https://news.example"
START = datetime(2021, 3, 1, 9, 30, tzinfo=UTC)


def comment(source_id: int, status: Status = Status.APPROVED, **fields) -> Imported:
    values = {
        "source_id": str(source_id),
        "post_id": "42",
        "content": f"Reader's comment number {source_id} on the council budget.",
        "author_name": f"Reader {source_id}",
        "author_email": f"reader{source_id}@example.org",
        "created_at": START + timedelta(hours=source_id),
        "status": status,
        "user_ip": "198.51.100.7",
    }
    return Imported(**{**values, **fields})


def news() -> Site:
    return db.session.scalar(sa.select(Site).where(Site.name == "news"))


def run(
    app, items, source: str = SOURCE, resume=None, on_progress=lambda _report: None
) -> tuple[store.Report, list[Problem]]:
    problems = []
    with app.app_context():
        report = store.run(news(), source, items, problems.append, on_progress, resume)
    return report, problems


def rows(app) -> list[Comment]:
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.import_id)).all()


@pytest.fixture
def app(app, site_key):
    return app


def test_each_verdict_is_stored_with_its_date_and_becomes_a_label(app):
    statuses = [Status.APPROVED, Status.PENDING, Status.REJECTED, Status.SPAM]
    report, problems = run(app, [comment(n, s) for n, s in enumerate(statuses, 1)])

    assert problems == [] and report.unchanged == 0
    assert report.added == {status: 1 for status in statuses}
    stored = rows(app)
    assert [c.status for c in stored] == statuses
    assert [c.created_at for c in stored] == [START + timedelta(hours=n) for n in (1, 2, 3, 4)]
    assert all(c.spam_score is not None and c.model_version for c in stored)
    assert stored[0].import_source == SOURCE and stored[0].user_ip == "198.51.100.7"
    with app.app_context():
        actions = db.session.scalars(sa.select(ModerationAction)).all()
        training = training_labels(db.session.connection())
    assert len(actions) == 3  # the pending comment stays undecided
    assert {a.moderator_id for a in actions} == {None}
    assert {a.via for a in actions} == {f"import of {SOURCE}"}
    assert sorted(item["label"] for item in training) == ["ham", "ham", "spam"]


def test_a_second_run_adds_and_changes_nothing(app):
    history = [comment(1), comment(2, Status.SPAM), comment(3, parent_source_id="1")]
    run(app, history)
    before = [(c.id, c.status, c.version, c.parent_id) for c in rows(app)]

    report, _ = run(app, history)

    assert report.added.total() == 0 and report.unchanged == 3
    assert [(c.id, c.status, c.version, c.parent_id) for c in rows(app)] == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 3


def test_the_same_ids_from_another_source_are_other_comments(app):
    run(app, [comment(1)])
    report, _ = run(app, [comment(1)], source="Disqus newsroom")
    assert report.added.total() == 1
    assert len(rows(app)) == 2


def test_replies_find_their_parents_in_any_order_and_across_batches(app, monkeypatch):
    monkeypatch.setattr(store, "BATCH", 2)
    history = [
        comment(5, parent_source_id="1"),  # before its parent, in another batch
        comment(2),
        comment(1),
        comment(3, parent_source_id="2"),
        comment(4, parent_source_id="999"),  # its parent was never exported
    ]
    run(app, history)
    by_source = {c.import_id: c for c in rows(app)}
    assert by_source["5"].parent_id == by_source["1"].id
    assert by_source["3"].parent_id == by_source["2"].id
    assert by_source["4"].parent_id is None


def test_a_record_the_api_would_refuse_is_reported_and_the_rest_stored(app):
    bad_email = comment(2, author_email="not an address", where="export.xml line 20")
    no_name = comment(3, author_name="")
    source_problem = Problem("export.xml line 30", "comment 4 has no content")
    report, problems = run(app, [comment(1), bad_email, no_name, source_problem])

    assert report.added.total() == 1 and report.problems == 3
    assert [p.where for p in problems] == [
        "export.xml line 20",
        f"{SOURCE} comment 3",
        "export.xml line 30",
    ]
    assert "author_email" in problems[0].message and "author_name" in problems[1].message
    assert [c.import_id for c in rows(app)] == ["1"]


def interrupted(items, after: int):
    """A source that yields `after` items, then fails as a dropped connection would."""
    yield from itertools.islice(items, after)
    raise ImportFailure("WordPress answered 500 on page 2")


def decisions(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction))


def test_a_source_that_fails_midway_keeps_the_batches_before_and_a_rerun_completes(
    app, monkeypatch
):
    monkeypatch.setattr(store, "BATCH", 2)
    history = [comment(1), comment(2, Status.SPAM), comment(3), comment(4), comment(5)]

    with pytest.raises(ImportFailure):
        run(app, interrupted(iter(history), 3))
    assert [c.import_id for c in rows(app)] == ["1", "2"]  # the third's batch rolled back
    report, _ = run(app, history)

    assert report.unchanged == 2 and report.added.total() == 3
    assert [c.import_id for c in rows(app)] == ["1", "2", "3", "4", "5"]
    assert decisions(app) == 5  # each verdict once


def test_a_reply_stored_before_its_parent_is_attached_by_the_run_that_brings_the_parent(
    app, monkeypatch
):
    """The reply waits in the database, not in the interrupted run's memory."""
    monkeypatch.setattr(store, "BATCH", 2)
    history = [comment(5, parent_source_id="1"), comment(7, parent_source_id="6"), comment(1)]

    with pytest.raises(ImportFailure):
        run(app, interrupted(iter(history), 2))
    assert {c.import_id: c.parent_id for c in rows(app)} == {"5": None, "7": None}
    run(app, history)

    by_source = {c.import_id: c for c in rows(app)}
    assert by_source["5"].parent_id == by_source["1"].id and by_source["5"].version == 2
    assert by_source["7"].parent_id is None  # its parent was never exported
    assert by_source["7"].import_parent_id == "6"


class Marked:
    """A resumable source: its mark is the id of the last record yielded."""

    def __init__(self, history):
        self.history, self.position = history, "0"

    def __iter__(self):
        for record in self.history:
            self.position = record.source_id
            yield record

    def resume(self, app) -> store.Resume:
        with app.app_context():
            return store.Resume(store.resume_point(news(), SOURCE), lambda: self.position)


def marks(app) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(
            sa.select(ImportProgress.source, ImportProgress.resume_after)
        ).all()


def test_a_resumable_source_keeps_its_mark_with_each_batch_until_it_is_read_to_the_end(
    app, monkeypatch
):
    monkeypatch.setattr(store, "BATCH", 2)
    source = Marked([comment(n) for n in range(1, 6)])
    assert source.resume(app).after is None

    with pytest.raises(ImportFailure):
        run(app, interrupted(iter(source), 5), resume=source.resume(app))
    assert marks(app) == [(SOURCE, "4")]  # the fifth was read, but its batch never committed
    assert source.resume(app).after == "4"
    report, _ = run(app, source, resume=source.resume(app))

    assert report.resumed_after == "4" and report.added.total() == 1
    assert marks(app) == []


def test_a_run_holds_one_batch_of_its_source_at_a_time(app, monkeypatch):
    """Each batch is committed before the next is read: memory does not grow with history."""
    monkeypatch.setattr(store, "BATCH", 3)
    committed = []

    def history():
        for n in range(1, 11):
            # Never more than a batch read beyond what is committed.
            assert n - 1 - (committed[-1] if committed else 0) < store.BATCH
            yield comment(n)

    run(app, history(), on_progress=lambda report: committed.append(report.read))

    assert committed == [3, 6, 9, 10]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_finds_stored_ids_by_the_whole_key_before_it_has_statistics(app):
    """A large import outruns autovacuum's statistics; the lookup must not scan the source."""
    run(app, [comment(n) for n in range(1, 4)])
    with app.app_context():
        db.session.execute(
            sa.text(
                "INSERT INTO comments (site_id, post_id, author_name, author_email, content, "
                "status, reasons, created_at, version, import_source, import_id) "
                "SELECT site_id, post_id, author_name, author_email, content, status, reasons, "
                "created_at, 1, import_source, 'x' || n FROM comments, generate_series(1, 5000) n "
                "WHERE import_id = '1'"
            )
        )
        values = {"site_id": news().id, "source": SOURCE, "source_ids": ["1", "x4999", "none"]}
        ours = store._STORED["postgresql"].compile(dialect=db.engine.dialect)
        plans = {
            "in": explain(_IN, values),
            "ours": explain(str(ours), ours.construct_params(values)),
        }
        found = db.session.execute(store._STORED["postgresql"], values).all()

    # The trap: IN (...) reads the source's every comment and filters them.
    assert "Filter: ((import_id)::text = ANY" in plans["in"], plans["in"]
    [condition] = [line for line in plans["ours"].splitlines() if "Index Cond" in line]
    assert "(import_id)::text = (wanted.import_id)::text" in condition, plans["ours"]
    assert "Filter" not in plans["ours"], plans["ours"]
    assert sorted(import_id for import_id, _ in found) == ["1", "x4999"]


_IN = (
    "SELECT import_id, id FROM comments WHERE site_id = %(site_id)s AND "
    "import_source = %(source)s AND import_id = ANY(%(source_ids)s)"
)


def explain(sql: str, values: dict) -> str:
    """PostgreSQL's plan for a statement in the driver's own syntax."""
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN {sql}", values)
    return "\n".join(row[0] for row in plan)


def test_the_same_words_twice_are_both_kept(app):
    """A history holds repeats (spam above all); the first keeps the duplicate key."""
    same = {"content": "Best casino bonus here https://casino.example", "author_email": "a@b.ru"}
    run(app, [comment(1, Status.SPAM, **same), comment(2, Status.SPAM, **same)])
    stored = rows(app)
    assert len(stored) == 2
    assert stored[0].fingerprint is not None and stored[1].fingerprint is None


def test_imported_verdicts_are_not_counted_as_the_model_overturned(app, score_as, submit):
    """The model routed none of the history: what moderators decided then overturned nothing."""
    score_as(0.95)  # over the spam threshold: every comment "said spam"
    run(app, [comment(1), comment(2, Status.REJECTED)])
    routed = submit().json["id"]  # the model sent this one to spam; a moderator disagrees
    with app.app_context():
        site = db.session.get(Comment, routed).site_id
        db.session.add(
            ModerationAction(
                comment_id=routed,
                via="test",
                from_status=Status.SPAM,
                to_status=Status.APPROVED,
                created_at=START,
            )
        )
        db.session.commit()
        counts = overturns.verdicts({site: sites.Thresholds(0.9, 0.2)})
    assert counts == {
        ("spam", "ham"): 1,
        ("spam", "spam"): 0,
        ("ham", "ham"): 0,
        ("ham", "spam"): 0,
    }


def test_authors_without_an_email_are_not_one_author(app):
    run(app, [comment(n, author_email="", status=Status.SPAM) for n in (1, 2, 3)])
    with app.app_context():
        stored = db.session.scalars(sa.select(Comment)).all()
        records = comments.author_records(stored)
    assert records == {(stored[0].site_id, ""): {"approved": 0, "rejected": 0, "spam": 0}}
