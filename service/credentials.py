"""Bearer secrets: issued once, stored only as a hash, checked in constant time."""

import hashlib
import hmac
import secrets

# A token reads "<prefix>_<key id>.<secret>": the key id finds the row through
# an index, the secret is compared against its stored hash.
SITE_PREFIX = "site"
MODERATOR_PREFIX = "mod"


def _digest(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough: there is
    # nothing to brute-force that a slow password hash would protect.
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(prefix: str) -> tuple[str, str, str]:
    """Return a new token with the key id and hash to store for it."""
    key_id = f"{prefix}_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    return f"{key_id}.{secret}", key_id, _digest(secret)


def split(token: str) -> tuple[str, str] | None:
    """Split a presented token into key id and secret, or None if malformed."""
    key_id, dot, secret = token.partition(".")
    if not dot or not secret or len(key_id) > 32:
        return None
    return key_id, secret


def matches(secret: str, key_hash: str) -> bool:
    """Whether the secret hashes to the stored hash, compared in constant time."""
    return hmac.compare_digest(_digest(secret), key_hash)


def reissue(holder, prefix: str) -> str:
    """Give a site or moderator a new token (new key id and hash); return it, to show once."""
    token, holder.key_id, holder.key_hash = issue(prefix)
    return token
