"""Console passwords: scrypt hashes checked in constant time, and one-time links to set one.

A password link is signed with SECRET_KEY and names one moderator, the moment it was
made, and a digest of that moderator's session version and password hash. Setting a
password changes both, so the link works once; ending every session of the moderator
(disabling them, say) voids it too. It is refused once PASSWORD_LINK_HOURS have passed.
"""

import hashlib
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import now
from ..db import db
from ..tables import Moderator
from . import sessions

MIN_LENGTH = 12

# The werkzeug method of a PASSWORD_SCRYPT_N cost: scrypt with r=8 and p=1, as its default.
_METHOD = "scrypt:{}:8:1"

# Keeps a password link from being accepted as any other value signed with SECRET_KEY.
_LINK_SALT = "moderato.console.password-link"


def set_password(moderator: Moderator, password: str) -> None:
    """Store a hash of the password and end every session begun under the old one."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"A password needs at least {MIN_LENGTH} characters.")
    moderator.password_hash = generate_password_hash(password, method=_method())
    sessions.end_all(moderator)


def matches(moderator: Moderator | None, password: str) -> bool:
    """Whether the password is the moderator's; False for no moderator or no password."""
    stored = moderator.password_hash if moderator is not None else None
    return check_password_hash(stored or _dummy_hash(_method()), password) and stored is not None


def check_cost(n: object) -> None:
    """Refuse a PASSWORD_SCRYPT_N that scrypt cannot use, naming the setting."""
    if not isinstance(n, int) or n < 2 or n & (n - 1):
        raise ValueError(f"PASSWORD_SCRYPT_N must be a power of two, at least 2, not {n!r}")


def _method() -> str:
    return _METHOD.format(current_app.config["PASSWORD_SCRYPT_N"])


@lru_cache
def _dummy_hash(method: str) -> str:
    """Checked when the email is unknown, so a wrong email costs as long as a wrong password."""
    return generate_password_hash("not a real password", method=method)


def link_token(moderator: Moderator) -> str:
    """Return the token of a link that lets the moderator set a password, once."""
    issued = int(now().timestamp())
    return _serializer().dumps({"m": moderator.id, "at": issued, "v": _state(moderator)})


def link_holder(token: str) -> Moderator | None:
    """The moderator a password link is for, or None if it is altered, used, expired or void."""
    try:
        claims = _serializer().loads(token)
        moderator_id, issued, state = claims["m"], claims["at"], claims["v"]
    except (BadSignature, KeyError, TypeError):
        return None
    lifetime = timedelta(hours=current_app.config["PASSWORD_LINK_HOURS"])
    if not isinstance(issued, int) or now().timestamp() > issued + lifetime.total_seconds():
        return None
    moderator = db.session.get(Moderator, moderator_id) if isinstance(moderator_id, int) else None
    if moderator is None or moderator.disabled_at is not None or state != _state(moderator):
        return None
    return moderator


def _state(moderator: Moderator) -> str:
    """A digest that changes whenever the moderator's password is set or their sessions end."""
    seen = f"{moderator.session_version or 0}:{moderator.password_hash or ''}"
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_LINK_SALT)
