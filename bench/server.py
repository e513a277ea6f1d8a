"""Start an app under gunicorn on a free loopback port, as deployed, and stop it after."""

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = ROOT / "gunicorn.conf.py"
OUT = ROOT / "bench" / "out"


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_argv(app: str, port: int, workers: int, bin_dir: Path = BIN) -> list[str]:
    """The gunicorn command line: the shipped config when there is one, our bind and workers."""
    config = ["-c", str(CONFIG)] if CONFIG.exists() else []
    return [
        str(bin_dir / "gunicorn"),
        *config,
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        app,
    ]


def cli(env: Mapping[str, str], *args: str) -> str:
    """Run a `flask --app wsgi` command in this process against env's database; return stdout.

    The same click commands as the shell's, without paying an interpreter and a
    model load per call; no model is loaded, since these commands need none.
    """
    from service import create_app
    from service.db import db

    for noisy in ("service.scoring", "alembic"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    app = create_app(
        {"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"], "MODEL_DIR": OUT}
    )
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}") from result.exception
    with app.app_context():
        db.engine.dispose()
    return result.output


def secret(env: Mapping[str, str], *args: str) -> str:
    """Run a CLI create command and return the secret it prints alone on its last line."""
    return cli(env, *args).splitlines()[-1]


@contextmanager
def serve(
    app: str, env: Mapping[str, str], workers: int, health: str, bin_dir: Path = BIN
) -> Iterator[tuple[str, int]]:
    """Serve an app under gunicorn; yield its base URL and master pid once `health` answers.

    bin_dir is the virtual environment whose gunicorn (and so Python) serves it.
    """
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"gunicorn-{port}.log"
    environment = {**os.environ, **env, "WEB_CONCURRENCY": str(workers)}
    with log.open("w") as stderr:
        process = subprocess.Popen(
            gunicorn_argv(app, port, workers, bin_dir),
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base + health, process, log, workers)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.unlink(missing_ok=True)


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path, workers: int) -> None:
    """Poll until the app answers and every worker has booted; fail with the log otherwise."""
    deadline = time.monotonic() + 180
    while True:
        booted = log.read_text().count("Booting worker")
        try:
            requests.get(url, timeout=2)
            if booted >= workers:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start serving:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def workers_cpu_seconds(master: int) -> float:
    """CPU time (user + system) the master's worker processes have used so far."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for child in children:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")
