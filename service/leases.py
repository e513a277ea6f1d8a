"""Leases: a named lock in the database that one process holds at a time, on any host.

A lease is a row of `leases` (name, holder, expires_at). A process takes it with one atomic
statement (an UPDATE of an expired row, else an INSERT the primary key lets only one process
win), renews it from a thread while it works, and deletes it when done. If its holder dies,
the lease expires and the next process takes it over.

Why a table rather than PostgreSQL's advisory locks: an advisory lock belongs to one database
session, so it needs a connection held open for the whole job, is lost or silently shared
behind a transaction-pooling proxy such as PgBouncer, and outlives a host that vanished until
the server's TCP keepalive notices (two hours by default). SQLite has no such lock at all,
and a write transaction held for a minute-long retrain would block every comment; a second
mechanism would then need tests of its own. A lease row works the same on both backends,
shows who holds it and until when, and frees itself after LEASE_SECONDS.

What it costs: one write per renewal (every third of LEASE_SECONDS), hosts whose clocks agree
to well within LEASE_SECONDS (NTP does), and a holder stalled for longer than that (a
suspended VM) may lose its lease while it still works. For that case `confirm` fences the
result: called in the transaction that stores it, it commits only if this process still holds
the lease, and on PostgreSQL it locks the row until then, so no one can take it meanwhile.
"""

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa

from .tables import Lease

log = logging.getLogger(__name__)
LEASES = Lease.__table__


class Held(Exception):
    """Another process holds the lease."""

    def __init__(self, name: str, holder: str | None, expires_at: datetime | None):
        self.holder = holder
        until = f" until {expires_at:%Y-%m-%d %H:%M:%S} UTC" if expires_at else ""
        super().__init__(f"the {name} lease is held by {holder or 'another process'}{until}")


class Lost(Exception):
    """The lease expired while this process worked, and another process took it."""


def holder_id() -> str:
    """Name this process for a lease: host, pid, and a random tag (pids repeat on other hosts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def take(engine: sa.Engine, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take the lease if nobody holds it or its holder let it expire; say whether it was taken."""
    expires = now + timedelta(seconds=seconds)
    with engine.begin() as connection:
        # Of two processes updating the same expired row, the second finds it renewed.
        taken = connection.execute(
            sa.update(LEASES)
            .where(LEASES.c.name == name, LEASES.c.expires_at <= now)
            .values(holder=holder, expires_at=expires)
        )
    if taken.rowcount:
        return True
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(LEASES).values(name=name, holder=holder, expires_at=expires)
            )
    except sa.exc.IntegrityError:  # a row exists and has not expired: someone holds it
        return False
    return True


def holding(engine: sa.Engine, name: str) -> Held:
    """Say who holds the lease, for the error of a process that could not take it."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(LEASES.c.holder, LEASES.c.expires_at).where(LEASES.c.name == name)
        ).first()
    return Held(name, *(row or (None, None)))


class Lease:
    """A lease this process holds: renewed from a thread until released."""

    def __init__(self, engine: sa.Engine, name: str, clock: Callable[[], datetime], seconds: float):
        self.engine, self.name, self.clock, self.seconds = engine, name, clock, seconds
        self.holder = holder_id()
        self._released = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name=f"lease {name}", daemon=True)

    def take(self) -> bool:
        """Take the lease and start renewing it; False when another process holds it."""
        if not take(self.engine, self.name, self.holder, self.clock(), self.seconds):
            return False
        self._keeper.start()
        return True

    def confirm(self, connection: sa.Connection) -> None:
        """Renew the lease in the connection's transaction; raise Lost if another took it."""
        renewed = connection.execute(
            sa.update(LEASES)
            .where(LEASES.c.name == self.name, LEASES.c.holder == self.holder)
            .values(expires_at=self.clock() + timedelta(seconds=self.seconds))
        )
        if not renewed.rowcount:
            raise Lost(
                f"the {self.name} lease expired and was taken over while {self.holder} held it"
            )

    def _keep(self) -> None:
        """Renew the lease every third of its length until released (the keeper thread)."""
        while not self._released.wait(self.seconds / 3):
            try:
                with self.engine.begin() as connection:
                    self.confirm(connection)
            except Lost as lost:
                log.error("%s: what it was doing will not be stored", lost)
                return
            except sa.exc.SQLAlchemyError as error:  # a database blip: the next renewal may work
                log.warning("cannot renew the %s lease, retrying: %s", self.name, error)

    def release(self) -> None:
        """Stop renewing and delete the lease: the next process need not wait for it to expire."""
        self._released.set()
        if self._keeper.is_alive():
            self._keeper.join()
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    sa.delete(LEASES).where(
                        LEASES.c.name == self.name, LEASES.c.holder == self.holder
                    )
                )
        except sa.exc.SQLAlchemyError as error:
            log.warning("cannot release the %s lease; it expires by itself: %s", self.name, error)


@contextmanager
def hold(
    engine: sa.Engine, name: str, clock: Callable[[], datetime], seconds: float
) -> Iterator[Lease]:
    """Hold the lease for the block: take it or raise Held, renew it meanwhile, release it after."""
    lease = Lease(engine, name, clock, seconds)
    if not lease.take():
        raise holding(engine, name)
    try:
        yield lease
    finally:
        lease.release()
