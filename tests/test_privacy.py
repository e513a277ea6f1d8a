"""Readers' data requests: export and erase find every comment of an address, in full."""

import json
import logging

import pytest
import sqlalchemy as sa

from service.db import db
from service.tables import Comment

STORED = "Zoë.Ü@example.de"


@pytest.mark.parametrize("asked", [STORED, "zoë.ü@example.de", "ZOË.Ü@EXAMPLE.DE"])
def test_export_finds_an_address_with_accented_capitals_however_it_is_cased(runner, submit, asked):
    comment = submit(author_email=STORED).get_json()["id"]

    result = runner.invoke(args=["privacy", "export", asked])

    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.output)] == [comment]


def test_erase_deletes_an_address_with_accented_capitals(app, runner, submit):
    submit(author_email=STORED)
    kept = submit(author_email="zoe.u@example.de").get_json()["id"]

    result = runner.invoke(args=["privacy", "erase", STORED, "--yes"])

    assert "erased 1 comments" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(Comment.id)).all() == [kept]


def test_export_holds_every_stored_field_of_a_comment(runner, submit):
    submit(
        author_email="reader@example.org",
        honeypot="filled by a bot",
        form_rendered_at="2026-11-27T08:59:00+00:00",
    )

    [exported] = json.loads(runner.invoke(args=["privacy", "export", "reader@example.org"]).output)

    assert exported["honeypot"] == "filled by a bot"
    assert exported["form_rendered_at"] == "2026-11-27T08:59:00+00:00"
    assert exported["model_version"]
    internal = {"site_id", "version", "fingerprint"}
    assert set(exported) == {c.key for c in Comment.__table__.columns} - internal | {
        "site",
        "history",
    }


def test_a_failed_insert_logs_no_reader_data(
    make_app, site_headers, valid_comment, refuse_inserts, caplog
):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # handled and logged as in production
    caplog.set_level(logging.DEBUG)
    body = valid_comment(author_email="hidden.reader@example.org", user_ip="198.51.100.77")

    response = app.test_client().post("/api/v1/comments", json=body, headers=site_headers)

    assert response.status_code >= 500
    assert response.is_json
    assert "INSERT INTO comments" in caplog.text  # the failure is logged...
    assert "hidden.reader" not in caplog.text  # ...without the reader's data
    assert "198.51.100.77" not in caplog.text


def test_the_access_log_keeps_the_clients_network_not_its_address(client, caplog):
    caplog.set_level(logging.INFO, logger="moderato.access")

    client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.77"})

    [record] = [r for r in caplog.records if r.name == "moderato.access"]
    assert record.remote_addr == "198.51.100.0"
    assert "198.51.100.77" not in caplog.text
