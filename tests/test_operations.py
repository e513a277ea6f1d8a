"""Production concerns: request ids and JSON logs, metrics, security headers, privacy."""

import json
import logging

import pytest
import sqlalchemy as sa

from service.db import db
from service.logs import JSONFormatter
from service.tables import Comment, ModerationAction


def test_every_response_has_a_request_id_and_echoes_a_safe_one(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    echoed = client.get("/healthz", headers={"X-Request-ID": "edge-42.a"}).headers["X-Request-ID"]
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]

    assert len(generated) == 32
    assert echoed == "edge-42.a"
    assert replaced != "<script>" and len(replaced) == 32


def test_access_log_is_one_json_object_with_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="moderato.access")
    response = client.get("/healthz", headers={"X-Request-ID": "trace-me"})

    [record] = [r for r in caplog.records if r.name == "moderato.access"]
    line = json.loads(JSONFormatter().format(record))
    assert line["request_id"] == response.headers["X-Request-ID"] == "trace-me"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0


def test_metrics_count_requests_comments_and_scoring(client, submit):
    submit()

    text = client.get("/metrics").get_data(as_text=True)

    posted = 'endpoint="/api/v1/comments",method="POST",status="201"'
    assert f"moderato_http_requests_total{{{posted}}}" in text
    assert "moderato_http_request_duration_seconds_bucket" in text
    assert 'moderato_comments_total{status="pending"}' in text
    assert "moderato_scoring_duration_seconds_count" in text
    assert "moderato_model_info{version=" in text


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/queue", "/api/v1/openapi.json", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in headers


def stored_ips(app) -> list[str | None]:
    with app.app_context():
        return db.session.scalars(sa.select(Comment.user_ip).order_by(Comment.id)).all()


def test_purge_anonymises_only_ips_past_retention(app, runner, submit, clock):
    submit(user_ip="203.0.113.7")
    submit(user_ip="2001:db8:abcd:12:34::1")
    clock.advance(days=31)
    submit(user_ip="198.51.100.99")

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert "anonymised the IP address of 2 comments older than 30 days" in result.output
    assert stored_ips(app) == ["203.0.113.0", "2001:db8:abcd::", "198.51.100.99"]
    assert "of 0 comments" in runner.invoke(args=["privacy", "purge"]).output


def test_export_prints_all_of_a_readers_data_as_json(runner, submit, moderator):
    comment = submit(author_email="Reader@Example.org").get_json()["id"]
    submit(author_email="someone.else@example.org")
    moderator.post(f"/api/v1/comments/{comment}/moderate", {"action": "approve"})

    result = runner.invoke(args=["privacy", "export", "reader@example.org"])

    [exported] = json.loads(result.output)
    assert exported["id"] == comment
    assert exported["user_ip"] == "203.0.113.7"
    assert exported["history"][0]["to"] == "approved"


def test_erase_deletes_a_readers_comments_and_keeps_replies(app, runner, submit, moderator):
    parent = submit(author_email="leaving@example.org").get_json()["id"]
    moderator.post(f"/api/v1/comments/{parent}/moderate", {"action": "approve"})
    reply = submit(author_email="staying@example.org", parent_id=parent).get_json()["id"]

    result = runner.invoke(args=["privacy", "erase", "leaving@example.org", "--yes"])

    assert "erased 1 comments" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(Comment.id)).all() == [reply]
        assert db.session.get(Comment, reply).parent_id is None
        assert db.session.scalars(sa.select(ModerationAction)).all() == []
