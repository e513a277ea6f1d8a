"""Readers' data requests: export and erase find every comment of an address, in full."""

import json

import pytest
import sqlalchemy as sa

from service.db import db
from service.models import Comment

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
