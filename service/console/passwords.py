"""Console passwords: hashed with werkzeug's scrypt, checked in constant time."""

from werkzeug.security import check_password_hash, generate_password_hash

from ..tables import Moderator
from . import sessions

MIN_LENGTH = 12

# Checked when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def set_password(moderator: Moderator, password: str) -> None:
    """Store a hash of the password and end every session begun under the old one."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"A password needs at least {MIN_LENGTH} characters.")
    moderator.password_hash = generate_password_hash(password, method="scrypt")
    sessions.end_all(moderator)


def matches(moderator: Moderator | None, password: str) -> bool:
    """Whether the password is the moderator's; False for no moderator or no password."""
    stored = moderator.password_hash if moderator is not None else None
    return check_password_hash(stored or _DUMMY_HASH, password) and stored is not None
