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


# The stored hash of a holder with no token: no secret's digest is empty, so nothing matches.
# The key id stays a fresh random one, since the column is unique and required.
NO_TOKEN = ""


def revoke(holder, prefix: str) -> None:
    """Take a holder's token away: every token it was ever given is refused from now on."""
    _token, holder.key_id, _hash = issue(prefix)
    holder.key_hash = NO_TOKEN


def has_token(holder) -> bool:
    """Say whether the holder has a working token (revoke() leaves it none)."""
    return holder.key_hash != NO_TOKEN


# An Akismet key is what the WordPress plugin accepts: exactly 12 characters, hex digits
# only (its settings form drops anything else), so 48 random bits. Too few for a bare
# hash to survive a stolen database, so it is stored as an HMAC under SECRET_KEY, and
# guessing it online is throttled per address (service.ratelimit).
AKISMET_KEY_LENGTH = 12


def issue_akismet_key(secret_key: str) -> tuple[str, str]:
    """Return a new Akismet key (12 lowercase hex digits) and the digest to store for it."""
    key = secrets.token_hex(AKISMET_KEY_LENGTH // 2)
    return key, akismet_digest(key, secret_key)


def akismet_digest(key: str, secret_key: str) -> str:
    """Return the stored form of an Akismet key: its HMAC-SHA256 under SECRET_KEY."""
    return hmac.new(secret_key.encode(), key.lower().encode(), hashlib.sha256).hexdigest()
