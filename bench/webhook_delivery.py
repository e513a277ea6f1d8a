"""How fast one worker sends queued webhook deliveries to an endpoint on loopback.

A site with one endpoint; `--count` test events queued through the outbox, then one
`webhooks.deliver_due` (what a worker's poll runs) sends them to a local HTTP server that
answers 204 at once, on SQLite and PostgreSQL. What is timed is Moderato's side: claiming,
signing, posting one by one and recording each outcome.

    .venv/bin/python -m bench.webhook_delivery [--count 500]
"""

import argparse
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import databases
from service import settings, sites, webhooks
from service.db import db
from service.tables import WebhookDelivery


class _Accept(BaseHTTPRequestHandler):
    """Read each POST whole and answer 204, as a quick receiver would."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # one line per request would drown the figures
        pass


def measure(backend: str, count: int) -> None:
    """Queue count test events and time one worker's poll that sends them."""
    url = databases.fresh_postgres("_webhooks") if backend == "postgresql" else None
    if backend == "postgresql" and url is None:
        print("postgresql: unreachable, skipped")
        return
    url = url or databases.fresh_sqlite("webhooks")
    app = databases.migrated_app(url, LOG_JSON=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    runner = app.test_cli_runner()
    runner.invoke(args=["sites", "create", "bench"])
    runner.invoke(args=["sites", "webhook-secret", "bench"])
    endpoint = {"url": f"http://127.0.0.1:{server.server_port}/hook", "events": ["comment.spam"]}
    with app.app_context():
        site = sites.named("bench")
        sites.save(site, settings.load({"webhooks": [endpoint]}), None, "bench setup")
        for _ in range(count):
            webhooks.send_test(site)
        db.session.commit()
        started = time.perf_counter()
        webhooks.deliver_due()
        took = time.perf_counter() - started
        delivered = (
            db.session.query(WebhookDelivery)
            .filter(WebhookDelivery.delivered_at.isnot(None))
            .count()
        )
    server.shutdown()
    print(f"{backend}: {delivered} of {count} delivered in {took:.2f} s, {delivered / took:.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=500, help="events to queue (one poll sends at most 500)"
    )
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.ERROR)
    logging.getLogger("moderato.access").setLevel(logging.WARNING)
    for backend in ("sqlite", "postgresql"):
        measure(backend, args.count)


if __name__ == "__main__":
    main()
