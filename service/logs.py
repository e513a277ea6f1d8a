"""JSON logs, one object per line, each carrying the id of the request it belongs to."""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

from .privacy import anonymise_ip

log = logging.getLogger("moderato.access")

# A client may pass its own request id to correlate logs across services; it is
# echoed back only when it is short and harmless.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class JSONFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request id, extras."""

    _FIELDS = ("method", "path", "status", "duration_ms", "remote_addr")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({k: getattr(record, k) for k in self._FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _stamp_request_id(factory):
    """Wrap a log record factory so every record carries the current request's id."""

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = g.get("request_id") if has_request_context() else None
        return record

    make_record.stamps_request_id = True
    return make_record


def _no_request_lines(record: logging.LogRecord) -> bool:
    """Drop the development server's request lines, which begin with the client's address.

    Ours (moderato.access) says the same with the network only; its other lines stay.
    """
    return " - - [" not in str(record.msg)


def configure(level: str) -> None:
    """Send the root logger's output to stderr as JSON lines (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JSONFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JSONFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").addFilter(_no_request_lines)


def _start_request() -> None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _SAFE_REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def client_network() -> str | None:
    """The client's network, never its address: logs outlive the IP purge (privacy.purge_ips)."""
    try:
        return anonymise_ip(request.remote_addr)
    except (TypeError, ValueError):  # no address, or not an IP (a Unix socket)
        return None


def _finish_request(response):
    response.headers["X-Request-ID"] = g.request_id
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
            "remote_addr": client_network(),
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request an id and an access log line; log JSON unless disabled."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "stamps_request_id", False):
        logging.setLogRecordFactory(_stamp_request_id(factory))
    if app.config["LOG_JSON"]:
        configure(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)
