"""Real servers for tests: gunicorn on a free loopback port, a private PostgreSQL cluster."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from support import SECRET

from service import create_app
from service.db import db

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, logs: Callable[[], str]) -> None:
    """Poll a URL until its server answers; fail with its logs if it dies or stays silent 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            assert process.poll() is None, f"the server stopped:\n{logs()}"
            assert time.monotonic() < deadline, f"no answer in 30 s:\n{logs()}"
            time.sleep(0.1)


@contextmanager
def commands(database_url: str) -> Iterator[Callable[..., str]]:
    """Run `flask --app wsgi` commands on a database in this process; each gives its last line.

    A new process would cost seconds of imports per command; the commands are the same.
    """
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "LOG_JSON": False})
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return (result.output.splitlines() or [""])[-1]

    try:
        yield run
    finally:
        with app.app_context():
            db.engine.dispose()


def prepare(database_url: str, moderators: int = 1) -> dict:
    """Migrate a database, create a site and admins; return the site key and their tokens."""
    with commands(database_url) as run:
        run("db", "upgrade")
        return {
            "site": run("sites", "create", "news"),
            "moderators": [
                run("moderators", "create", f"admin{n}@news.example", "--admin")
                for n in range(moderators)
            ],
        }


@dataclass
class Server:
    """A running gunicorn: its base URL, master process and log."""

    base: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The pids of the master's worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        """Stop the master (and so its workers) by its pid, killing it after 30 s."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def gunicorn(
    env: dict[str, str], folder: Path, workers: int = 2, extra_args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """Serve wsgi:app with the shipped gunicorn.conf.py on a free port, as deployed."""
    port, log = free_port(), folder / "gunicorn.log"
    # PROMETHEUS_MULTIPROC_DIR is left for gunicorn.conf.py to set, as under `make serve`:
    # setting it here once hid that the config set it too late.
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    settings = {
        **inherited,
        "LOG_JSON": "0",
        "SECRET_KEY": SECRET,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        **env,
    }
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", *extra_args, "wsgi:app"],
            cwd=ROOT,
            env=settings,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_answering(f"{server.base}/healthz", process, log.read_text)
        yield server
    finally:
        server.stop()


@dataclass
class Postgres:
    """A private PostgreSQL cluster that a test may stop and start at will."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str, check: bool = True) -> None:
        # PostgreSQL refuses to run as root, so the cluster belongs to its own user.
        command = [PG_BIN / "pg_ctl", "-D", self.folder, "-w", *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *map(str, command)]
        subprocess.run(command, check=check, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._ctl("-o", options, "-l", str(self.folder / "server.log"), "start")

    def stop(self) -> None:
        """Stop at once, as a crash would: clients are cut off mid-transaction."""
        self._ctl("-m", "immediate", "stop")


@contextmanager
def private_postgres() -> Iterator[Postgres]:
    """Create, start and finally remove a throwaway cluster on a free port."""
    # Not under pytest's tmp_path: its root-only parent would lock the postgres user out.
    folder = Path(tempfile.mkdtemp(prefix="moderato-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(folder), "-U", "postgres", "-A", "trust"]
    if os.geteuid() == 0:
        initdb = ["runuser", "-u", "postgres", "--", *initdb]
    subprocess.run(initdb, check=True, capture_output=True)
    cluster = Postgres(folder, free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        cluster._ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)
