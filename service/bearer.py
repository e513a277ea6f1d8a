"""Who is calling: a site's back end or a moderator, from the bearer token."""

import functools

import sqlalchemy as sa
from flask import g, request
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

from . import credentials, ratelimit
from .db import db
from .tables import Moderator, Site

# The lookup of each kind of caller by key id, built once: every request runs one.
_LOOKUPS = {
    prefix: sa.select(kind).where(kind.key_id == sa.bindparam("key_id"))
    for prefix, kind in ((credentials.SITE_PREFIX, Site), (credentials.MODERATOR_PREFIX, Moderator))
}
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="moderato"'}


def _caller() -> Site | Moderator:
    """Return the site or moderator whose token authorises this request, or abort 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    parts = credentials.split(token.strip()) if scheme.lower() == "bearer" else None
    if parts is None:
        abort(401, message="missing or malformed bearer token", headers=_CHALLENGE)
    key_id, secret = parts
    lookup = _LOOKUPS.get(key_id.partition("_")[0])
    row = None if lookup is None else db.session.scalar(lookup, {"key_id": key_id})
    if row is None or not credentials.matches(secret, row.key_hash):
        abort(401, message="invalid token", headers=_CHALLENGE)
    if isinstance(row, Moderator) and row.disabled_at is not None:
        abort(401, message="this moderator is disabled", headers=_CHALLENGE)
    return row


def _authenticate() -> Site | Moderator:
    """Return the caller, charging a site its request budget and a failure its source address.

    An address over its failure budget is refused before its token is looked up,
    so guessing costs neither the database nor a hash; a site's budget is spent
    only by requests that proved to be the site, so a wrong secret cannot spend it.
    """
    source = request.remote_addr
    ratelimit.refuse_failing_source(source)
    try:
        caller = _caller()
    except HTTPException:
        ratelimit.count_failure(source)
        raise
    if isinstance(caller, Site):
        ratelimit.charge_site(caller.id)
    return caller


def _require(kind: type, role: str):
    """Build a decorator that lets only callers of one kind through, as g.<role>."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            caller = _authenticate()
            if not isinstance(caller, kind):
                abort(403, message=f"this endpoint needs a {role} token")
            setattr(g, role, caller)
            return view(*args, **kwargs)

        return wrapper

    return decorator


site_required = _require(Site, "site")
moderator_required = _require(Moderator, "moderator")
