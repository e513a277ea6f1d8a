"""A real HTTP endpoint for webhook tests: records each request's raw body and headers."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    """One request as it arrived: its path, headers and body bytes."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server on 127.0.0.1 (a free port) in a thread, answering as told.

    answers: the statuses to give the next requests, in order (then 204 to every one);
    delay: seconds each answer takes, so concurrent deliveries overlap.
    """

    def __init__(self, delay: float = 0.0):
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.delay = delay
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Its base URL: http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self._server.server_port}"

    def answer(self, *statuses: int) -> None:
        """Give these statuses to the next requests, one each, before 204 again."""
        self.answers.extend(statuses)

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def _take(self, request: Received) -> int:
        """Record a request and say what status to answer it with."""
        with self._lock:
            self.received.append(request)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            status = self.answers.pop(0) if self.answers else 204
        time.sleep(self.delay)
        with self._lock:
            self.in_flight -= 1
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._take(Received(self.path, dict(self.headers), body))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://example.org/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # quiet: pytest shows what matters
                pass

        return Handler
