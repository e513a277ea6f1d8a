"""Prometheus metrics: requests, latency, comments by outcome, scoring time, model version.

Under gunicorn each worker writes its samples to PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py) and /metrics adds them up, so any worker answers for all.
"""

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "moderato_http_requests", "HTTP requests answered.", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "moderato_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
COMMENTS = Counter(
    "moderato_comments", "Comments stored, by the status they were routed to.", ["status"]
)
SCORING = Histogram(
    "moderato_scoring_duration_seconds",
    "Time to score one comment with the classifier.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05),
)
MODEL = Gauge(
    "moderato_model_info",
    "The model version each worker serves (1), labelled by version.",
    ["version"],
    multiprocess_mode="liveall",
)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    # The URL rule, not the path, keeps the label set small: /comments/<id:comment_id>.
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, endpoint, response.status_code).inc()
    LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - g.metrics_started)
    return response


def exposition() -> Response:
    """Render every worker's metrics in the Prometheus text format."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Time and count every request."""
    app.before_request(_start_timer)
    app.after_request(_observe)
