"""Readers' data: anonymise old IP addresses, export or erase everything about an email."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from . import addresses
from .db import db
from .tables import Comment, ModerationAction, WebhookDelivery


def anonymise_ip(address: str) -> str:
    """Keep only the network of an address: an IPv4 /24 or an IPv6 /48."""
    return str(addresses.network_of(address, {4: 24, 6: 48}).network_address)


def purge_ips(before: datetime, batch: int = 1000) -> int:
    """Anonymise the IP of every comment stored before a time; return how many changed."""
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(Comment.id, Comment.user_ip)
            .where(Comment.created_at < before, Comment.user_ip.is_not(None), Comment.id > last_id)
            .order_by(Comment.id)
            .limit(batch)
        ).all()
        if not rows:
            return changed
        updates = [
            {"row_id": row.id, "anonymised": anonymise_ip(row.user_ip)}
            for row in rows
            if anonymise_ip(row.user_ip) != row.user_ip
        ]
        if updates:
            # Core, not the ORM: an IP change is not a moderation state change,
            # so it must not bump the comment's optimistic-lock version.
            table = Comment.__table__
            statement = (
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(user_ip=sa.bindparam("anonymised"))
            )
            db.session.execute(statement, updates)
        db.session.commit()
        changed += len(updates)
        last_id = rows[-1].id


def _by_email(email: str) -> sa.Select:
    # lower() folds Unicode on every backend (service.db teaches SQLite to), so an
    # address is found however its letters were cased, accented ones included.
    return sa.select(Comment).where(sa.func.lower(Comment.author_email) == email.strip().lower())


# Everything stored about a comment, but for the service's own bookkeeping.
_INTERNAL = {"site_id", "version", "fingerprint"}
EXPORTED = [c.key for c in Comment.__table__.columns if c.key not in _INTERNAL]


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def export(email: str) -> list[dict]:
    """Everything stored about a reader's comments, oldest first, as plain data."""
    query = _by_email(email).options(
        orm.selectinload(Comment.actions), orm.joinedload(Comment.site)
    )
    comments = db.session.scalars(query.order_by(Comment.id)).all()
    return [
        {
            "site": c.site.name,
            **{name: _plain(getattr(c, name)) for name in EXPORTED},
            "history": [
                {"from": a.from_status, "to": a.to_status, "at": a.created_at.isoformat()}
                for a in c.actions
            ],
        }
        for c in comments
    ]


def erase(email: str) -> int:
    """Delete a reader's comments, their history and webhook deliveries; others' replies stay."""
    ids = db.session.scalars(_by_email(email).with_only_columns(Comment.id)).all()
    if ids:
        db.session.execute(
            sa.update(Comment).where(Comment.parent_id.in_(ids)).values(parent_id=None)
        )
        db.session.execute(sa.delete(ModerationAction).where(ModerationAction.comment_id.in_(ids)))
        db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.comment_id.in_(ids)))
        db.session.execute(sa.delete(Comment).where(Comment.id.in_(ids)))
    db.session.commit()
    return len(ids)
