"""The baseline: a bare Flask JSON hello world, served with the same gunicorn settings."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/hello")
def hello():
    """Parse the JSON body as the real path does and answer with a small JSON object."""
    return {"hello": "world", "fields": len(request.get_json())}, 201


@app.get("/healthz")
def healthz():
    """Answer the readiness poll of bench.server."""
    return {"status": "ok"}
