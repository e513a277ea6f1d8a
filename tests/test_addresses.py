"""A reader's address has one spelling: stored, counted and matched in its canonical form."""

import pytest
import sqlalchemy as sa

from service import addresses
from service.db import db
from service.tables import Comment


def stored_ip(app) -> str | None:
    """The IP stored with the only comment."""
    with app.app_context():
        return db.session.scalars(sa.select(Comment.user_ip)).one()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("::ffff:198.51.100.91", "198.51.100.91"),
        ("::FFFF:C633:645B", "198.51.100.91"),
        ("fe80::1%eth0", "fe80::1"),
        (f"fe80::1%{'x' * 200}", "fe80::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("198.51.100.91", "198.51.100.91"),
    ],
)
def test_a_reader_s_address_is_stored_in_its_canonical_form(app, submit, sent, kept):
    assert submit(user_ip=sent).status_code == 201

    assert stored_ip(app) == kept


def test_blocked_ranges_are_kept_in_their_canonical_form(configure):
    body = configure(
        blocked_ips=["::ffff:203.0.113.0/120", "::ffff:198.51.100.7", "fe80::%eth0/64"]
    )

    assert body["blocked_ips"] == ["203.0.113.0/24", "198.51.100.7", "fe80::/64"]


@pytest.mark.parametrize(
    ("address", "reader"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
    ],
)
def test_a_reader_is_an_ipv4_address_or_an_ipv6_64(address, reader):
    assert addresses.reader(address) == reader
