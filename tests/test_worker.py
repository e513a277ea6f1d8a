"""The background worker retrains by itself when due, one host at a time, and says so."""

import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from live import ROOT, free_port
from support import MODEL_DIR, SECRET

from model.train import DATA_DIR
from research import campaign
from service import comments, labels, leases, retrain, worker
from service.db import db
from service.tables import Lease, ModelVersion, Moderator, RetrainRun, RunStatus, Status

# One small corpus keeps each real retrain to about a second.
SMALL_CORPUS = (str(DATA_DIR / "Youtube01-Psy.csv"),)
ENOUGH = 6  # RETRAIN_AFTER_LABELS in these tests
LEASE_SECONDS = 60


@pytest.fixture
def settings() -> dict:
    """The config of these tests' apps (and, as strings, of their worker processes)."""
    return {
        "MODEL_POLL_SECONDS": 0,
        "SITE_REQUESTS_PER_SECOND": 0,
        # Nothing scores 1.0 or more: every comment waits, so each decision is one label.
        "SPAM_THRESHOLD": 1.0,
        "RETRAIN_CORPORA": SMALL_CORPUS,
        "RETRAIN_AFTER_LABELS": ENOUGH,
        "RETRAIN_EVERY_HOURS": 24,
        "LEASE_SECONDS": LEASE_SECONDS,
    }


@pytest.fixture
def app(make_app, settings):
    return make_app(**settings)


@pytest.fixture
def decide(submit, moderator):
    """Post n comments (a campaign's spam and readers' replies); a moderator decides each."""
    readers = itertools.count(1)

    def label(n: int) -> None:
        for record in campaign.comments(n, seed=next(readers)):
            reader = next(readers)
            body = submit(
                content=record["content"],
                author_name=record["author_name"],
                author_email=f"reader{reader}@example.org",
                user_ip=f"10.0.{reader // 250}.{reader % 250 + 1}",
            ).get_json()
            assert body["status"] == "pending", body
            action = "spam" if record["label"] == "spam" else "approve"
            decided = moderator.post(f"/api/v1/comments/{body['id']}/moderate", {"action": action})
            assert decided.status_code == 200, decided.get_json()

    return label


def work(app) -> None:
    """Run the worker's jobs once, as one poll does."""
    worker.Worker(app).run_once()


def runs(app) -> list[RetrainRun]:
    """Every recorded retrain, oldest first."""
    with app.app_context():
        return db.session.scalars(sa.select(RetrainRun).order_by(RetrainRun.id)).all()


def trained_versions(app) -> list[str]:
    """The versions retrains stored (the registry's import of MODEL_DIR's model left out)."""
    with app.app_context():
        rows = db.session.scalars(sa.select(ModelVersion).order_by(ModelVersion.id)).all()
    return [row.version for row in rows if "champion_version" in row.manifest.get("metrics", {})]


def test_fewer_new_labels_than_the_setting_start_no_retrain(app, decide):
    decide(ENOUGH - 1)

    work(app)

    assert runs(app) == []


def test_enough_new_labels_retrain_once_and_record_why(app, decide):
    decide(ENOUGH)

    work(app)
    work(app)  # the same labels are no longer new

    [run] = runs(app)
    assert run.trigger == f"{ENOUGH} new labels"
    assert run.status in (RunStatus.PROMOTED, RunStatus.KEPT)
    assert run.labels == ENOUGH
    assert trained_versions(app) == [run.version]
    assert run.outcome.startswith("decision: ")
    assert run.version in run.outcome
    assert run.finished_at is not None and run.started_at <= run.finished_at


def test_a_label_that_has_waited_a_day_is_retrained_on(app, decide, clock):
    decide(ENOUGH)
    work(app)
    clock.advance(hours=48)
    work(app)  # a day passed, but no label is new: nothing to learn
    decide(1)
    work(app)  # one new label, decided just now
    assert len(runs(app)) == 1

    clock.advance(hours=24)
    work(app)

    _first, second = runs(app)
    assert second.trigger == "daily: 1 new label"
    assert second.labels == ENOUGH + 1
    assert second.status in (RunStatus.PROMOTED, RunStatus.KEPT)


def test_a_changed_decision_is_a_new_label_and_a_withdrawn_one_is_none(app, decide, moderator):
    decide(ENOUGH)
    work(app)
    [run] = runs(app)
    queue = moderator.get("/api/v1/queue?status=approved").get_json()["items"]
    ids = [item["id"] for item in queue]
    for comment_id in ids[:2]:
        moderator.post(f"/api/v1/comments/{comment_id}/moderate", {"action": "spam"})
    with app.app_context():
        someone = db.session.get(Moderator, 1)
        comments.moderate(someone, ids[2], Status.PENDING)  # sent back: no label at all
        new, _oldest = labels.new_since(db.session.connection(), run.label_mark)

    assert new == 2


def test_no_labels_no_retrain_however_long_it_waits(app, clock):
    work(app)
    clock.advance(days=3)
    work(app)

    assert runs(app) == []


def test_make_retrain_is_recorded_with_its_decision(app, decide, runner):
    decide(3)

    result = runner.invoke(args=["model", "retrain"])

    assert result.exit_code == 0, result.output
    [run] = runs(app)
    assert run.trigger == "make retrain"
    assert run.labels == 3
    assert run.outcome in result.output.splitlines()


def test_make_retrain_is_refused_while_another_holds_the_lease(app, decide, runner, clock):
    decide(3)
    with app.app_context():
        assert leases.take(db.engine, retrain.LEASE, "other-host:42:abc", clock(), LEASE_SECONDS)

    result = runner.invoke(args=["model", "retrain"])

    assert result.exit_code == 1
    assert "another retrain is running" in result.output
    assert "other-host:42:abc" in result.output
    assert runs(app) == [] and trained_versions(app) == []


def test_a_dead_holders_lease_is_taken_over_once_it_expires(app, decide, clock, caplog):
    caplog.set_level(logging.INFO)
    decide(ENOUGH)
    with app.app_context():
        leases.take(db.engine, retrain.LEASE, "dead-host:7:abc", clock(), LEASE_SECONDS)

    work(app)
    assert runs(app) == []
    assert "dead-host:7:abc" in caplog.text

    clock.advance(seconds=LEASE_SECONDS)
    work(app)

    [run] = runs(app)
    assert run.status in (RunStatus.PROMOTED, RunStatus.KEPT)
    assert run.holder != "dead-host:7:abc"
    with app.app_context():
        assert db.session.scalars(sa.select(Lease)).all() == []  # released when done


def test_only_one_of_many_racing_processes_takes_a_lease(app, clock):
    holders = [f"host{n}:1:abc" for n in range(8)]
    won = {}
    with app.app_context():
        engine = db.engine
        leases.take(engine, "race", "dead:1:abc", clock() - timedelta(minutes=5), 60)

        def race(name: str, holder: str, start: threading.Barrier) -> None:
            start.wait()
            won[name, holder] = leases.take(engine, name, holder, clock(), 60)

        for name in ("race", "fresh"):  # over an expired lease, and with none yet
            start = threading.Barrier(len(holders))
            threads = [threading.Thread(target=race, args=(name, h, start)) for h in holders]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    assert sum(won["race", h] for h in holders) == 1
    assert sum(won["fresh", h] for h in holders) == 1


def _expiry(app, name: str):
    """When a lease expires, as stored."""
    with app.app_context():
        return db.session.scalar(sa.select(Lease.expires_at).where(Lease.name == name))


def test_a_held_lease_is_renewed_while_its_holder_works(app, clock):
    with app.app_context(), leases.hold(db.engine, "job", clock, seconds=0.3):
        clock.advance(seconds=10)  # long past the expiry it was taken with
        deadline = time.monotonic() + 10
        while _expiry(app, "job") <= clock():  # its keeper renews it every 0.1 s
            assert time.monotonic() < deadline, "the lease was not renewed"
            time.sleep(0.02)
        assert not leases.take(db.engine, "job", "other:1:abc", clock(), 60)

    with app.app_context():
        assert leases.take(db.engine, "job", "other:1:abc", clock(), 60)  # released


def test_a_holder_that_lost_its_lease_cannot_store_its_result(app, clock):
    with app.app_context():
        stalled = leases.Lease(db.engine, "job", clock, 60)
        # Taken but never renewed, as by a holder in a suspended VM.
        assert leases.take(db.engine, "job", stalled.holder, clock(), 60)
        clock.advance(seconds=61)
        assert leases.take(db.engine, "job", "other:1:abc", clock(), 60)

        with pytest.raises(leases.Lost), db.engine.begin() as connection:
            stalled.confirm(connection)


def test_a_failed_retrain_is_recorded_and_retried_when_next_due_not_in_a_loop(
    app, decide, clock, caplog
):
    app.config["RETRAIN_CORPORA"] = ("/nonexistent/corpus.csv",)
    decide(ENOUGH)

    work(app)  # must not raise: the worker survives
    for _ in range(3):
        clock.advance(minutes=10)
        work(app)

    [failed] = runs(app)
    assert failed.status == RunStatus.FAILED
    assert "/nonexistent/corpus.csv" in failed.outcome
    assert "job retrain failed" in caplog.text
    with app.app_context():
        assert db.session.scalars(sa.select(Lease)).all() == []

    app.config["RETRAIN_CORPORA"] = SMALL_CORPUS
    decide(1)
    clock.advance(hours=24)
    work(app)

    _failed, retried = runs(app)
    assert retried.trigger == "daily: 1 new label"
    assert retried.labels == ENOUGH + 1
    assert retried.status in (RunStatus.PROMOTED, RunStatus.KEPT)


def test_the_stats_page_says_when_the_last_retrain_ran_and_why(app, console, decide, runner):
    console.login()
    assert "No retrain has run yet" in console.get("/moderate/stats").text

    decide(3)
    runner.invoke(args=["model", "retrain", "--margin", "-1"])  # must win by 1: it cannot
    page = console.get("/moderate/stats").text

    [run] = runs(app)
    assert "No retrain has run yet" not in page
    assert "The last retrain (make retrain) ran" in page
    assert "27 Nov 09:" in page and "on 3 labels" in page
    assert f"the challenger {run.version} was not promoted" in page
    assert "decision: KEPT the champion" in page


def test_a_bad_setting_is_refused_before_the_worker_starts(make_app, settings):
    runner = make_app(**{**settings, "RETRAIN_AFTER_LABELS": -1}).test_cli_runner()

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 2
    assert "RETRAIN_AFTER_LABELS must be at least 0" in result.output


def _environment(database_url: str, settings: dict) -> dict:
    """The environment of a real worker process on the test's database."""
    env = {key: ",".join(v) if isinstance(v, tuple) else str(v) for key, v in settings.items()}
    return {
        **os.environ,
        **env,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "MODEL_DIR": str(MODEL_DIR),
        "LOG_JSON": "0",
        "WORKER_POLL_SECONDS": "0.2",
        # Its clock is the real one, on which the test clock's labels may be days old.
        "RETRAIN_EVERY_HOURS": "0",
    }


@pytest.fixture
def start_worker() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `flask --app wsgi worker` processes, each its log in a file; kill any still
    running when the test ends, so that a failed assertion leaves no worker polling."""
    started = []

    def start(env: dict, log: Path, *args: str) -> subprocess.Popen:
        with log.open("w") as stderr:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            )
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_for(
    log: Path, text: str, process: subprocess.Popen, alternatives: list[Path] = ()
) -> None:
    """Wait until the process (or another, logging to an alternative) logs the text.

    Fails with its log if it stops or never does, within a minute.
    """
    deadline = time.monotonic() + 60
    while not any(text in path.read_text() for path in [log, *alternatives]):
        assert process.poll() is None, f"the worker stopped:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {text!r} in 60 s:\n{log.read_text()}"
        time.sleep(0.05)


def test_sigterm_stops_a_waiting_worker_process(
    app, database_url, settings, tmp_path, start_worker
):
    log = tmp_path / "worker.log"
    process = start_worker(_environment(database_url, settings), log)
    _wait_for(log, "worker started", process)

    os.kill(process.pid, signal.SIGTERM)

    assert process.wait(timeout=10) == 0, log.read_text()
    assert "SIGTERM: stopping" in log.read_text()
    assert "worker stopped" in log.read_text()


def test_sigterm_in_a_retrain_records_it_stopped_and_the_next_worker_redoes_it(
    app, database_url, decide, settings, tmp_path, start_worker
):
    decide(ENOUGH)
    log = tmp_path / "worker.log"
    env = _environment(database_url, settings)
    # Every shipped corpus: a retrain of seconds, well past the signal sent as it begins.
    del env["RETRAIN_CORPORA"]
    process = start_worker(env, log)
    _wait_for(log, "retrain: counting", process)

    os.kill(process.pid, signal.SIGTERM)

    assert process.wait(timeout=30) == 0, log.read_text()
    [stopped] = runs(app)
    assert stopped.status == RunStatus.STOPPED, log.read_text()
    assert trained_versions(app) == []
    with app.app_context():
        assert db.session.scalars(sa.select(Lease)).all() == []
    work(app)
    assert [run.trigger for run in runs(app)] == [f"{ENOUGH} new labels"] * 2
    assert runs(app)[1].status in (RunStatus.PROMOTED, RunStatus.KEPT)


def test_two_worker_processes_polling_one_database_train_once_when_due(
    app, database_url, decide, settings, tmp_path, start_worker
):
    decide(ENOUGH - 1)
    env = _environment(database_url, settings)
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    processes = [start_worker(env, log) for log in logs]
    for process, log in zip(processes, logs, strict=True):
        _wait_for(log, "worker started", process)

    decide(1)  # now due, for both at once
    _wait_for(logs[0], "retrained (", processes[0], alternatives=logs[1:])
    time.sleep(1)  # polls of the other worker, real ones, after the retrain
    for process in processes:
        os.kill(process.pid, signal.SIGTERM)

    both = "\n".join(log.read_text() for log in logs)
    assert [process.wait(timeout=30) for process in processes] == [0, 0], both
    [run] = runs(app)
    assert run.trigger == f"{ENOUGH} new labels"
    assert trained_versions(app) == [run.version]
    assert both.count("retrained (") == 1


def test_two_retrains_at_once_one_trains_and_the_other_is_told_who_holds_the_lease(
    make_app, settings, decide
):
    decide(3)
    apps = [make_app(**settings) for _ in range(2)]
    start, outcomes = threading.Barrier(2), []

    def attempt(app) -> None:
        with app.app_context():
            chosen = retrain.options(app.config)
            start.wait()
            try:
                done = retrain.guarded(lambda _session: "race", chosen, False, lambda _: None)
                outcomes.append(done.run.holder)
            except leases.Held as held:
                outcomes.append(held)

    threads = [threading.Thread(target=attempt, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [winner] = [item for item in outcomes if isinstance(item, str)]
    [refused] = [item for item in outcomes if isinstance(item, leases.Held)]
    assert refused.holder == winner
    assert [run.holder for run in runs(apps[0])] == [winner]


def test_worker_once_runs_what_is_due_and_exits(app, decide, runner):
    decide(ENOUGH)

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert [run.trigger for run in runs(app)] == [f"{ENOUGH} new labels"]


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_starts_the_worker_beside_the_server_and_stops_it_with_the_server(target, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'moderato.db'}",
        "SECRET_KEY": SECRET,
        "MODEL_DIR": str(MODEL_DIR),
        "LOG_JSON": "0",
    }
    # -o: take the installed .venv and the trained model as they are.
    command = ["make", "-o", ".venv/.installed", "-o", "models/LATEST", target]
    log = tmp_path / "make.log"
    with log.open("w") as output:
        make = subprocess.Popen(
            [*command, f"PORT={free_port()}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own, as a terminal gives
        )
    try:
        _wait_for(log, "worker started", make)
        group = _group(make.pid)
        assert any(" worker" in line for line in group), group
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
        make.wait(timeout=30)
        assert _group(make.pid) == []
        assert "worker stopped" in log.read_text()
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)


def _group(pgid: int) -> list[str]:
    """The command lines of the processes still in a process group."""
    lines = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.getpgid(int(proc.name)) == pgid:
                lines.append((proc / "cmdline").read_text().replace("\0", " "))
        except (ProcessLookupError, FileNotFoundError):
            continue
    return lines
