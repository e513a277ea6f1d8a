"""Sliding-window limits: per reader (flood control) and per site key (requests per second).

Counts live in Redis when RATELIMIT_STORAGE_URI names one, so every worker on
every host shares them; otherwise in this process's memory. Time comes from the
app's clock, so tests move it instead of sleeping.
"""

import logging
import math
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import redis
from flask import Flask, current_app, request

from . import addresses, credentials
from .errors import TooManyRequests

log = logging.getLogger(__name__)

FLOOD_WINDOW_SECONDS = 60.0


class Windows(Protocol):
    """A store of timestamped entries per key, checked and added to atomically."""

    def reserve(
        self, keys: Sequence[str], limit: int, window: float, now: float, entry: str
    ) -> float | None:
        """Add the entry under every key if each has fewer than `limit` in the window.

        Return None when added, else the seconds until the fullest key frees a place.
        """

    def release(self, keys: Sequence[str], entry: str) -> None:
        """Remove an entry added by reserve."""


class MemoryWindows:
    """Windows in this process's memory: one worker's view only."""

    def __init__(self):
        self._entries: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()
        self._longest = 0.0
        self._sweep_at = 1024

    def reserve(self, keys, limit, window, now, entry):
        """Add the entry under every key unless one is full; else the seconds to wait."""
        with self._lock:
            self._longest = max(self._longest, window)
            if len(self._entries) >= self._sweep_at:
                self._sweep(now)
            live = {key: self._live(key, now - window) for key in keys}
            waits = [min(t.values()) + window - now for t in live.values() if len(t) >= limit]
            if waits:
                return max(waits)
            for key in keys:
                self._entries[key] = {**live[key], entry: now}
            return None

    def release(self, keys, entry):
        """Remove the entry from every key."""
        with self._lock:
            for key in keys:
                self._entries.get(key, {}).pop(entry, None)

    def _live(self, key: str, since: float) -> dict[str, float]:
        return {e: t for e, t in self._entries.get(key, {}).items() if t > since}

    def _sweep(self, now: float) -> None:
        """Forget readers with nothing left in any window, so memory stays bounded."""
        self._entries = {
            key: live for key in self._entries if (live := self._live(key, now - self._longest))
        }
        self._sweep_at = max(1024, 2 * len(self._entries))


# Atomic in Redis: drop expired entries, refuse if any key is full, else add to all.
_RESERVE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wait = nil
for _, key in ipairs(KEYS) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if redis.call('ZCARD', key) >= limit then
        local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
        wait = math.max(wait or 0, oldest + window - now)
    end
end
if wait then return tostring(wait) end
for _, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('EXPIRE', key, math.ceil(window))
end
return false
"""


class RedisWindows:
    """Windows in Redis, shared by every worker that points at it."""

    def __init__(self, url: str, prefix: str):
        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._reserve = self._client.register_script(_RESERVE)
        self._prefix = prefix

    def reserve(self, keys, limit, window, now, entry):
        """Add the entry under every key unless one is full; fail open if Redis is down."""
        try:
            wait = self._reserve(keys=self._keys(keys), args=[now, window, limit, entry])
        except redis.RedisError as error:
            # A comment is never lost because a component failed.
            log.error("rate limit storage unavailable, not limiting: %s", error)
            return None
        return None if wait is None else float(wait)

    def release(self, keys, entry):
        """Remove the entry from every key."""
        try:
            for key in self._keys(keys):
                self._client.zrem(key, entry)
        except redis.RedisError as error:
            log.error("rate limit storage unavailable, entry not released: %s", error)

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [f"{self._prefix}:{key}" for key in keys]


def init_app(app: Flask) -> None:
    """Pick the shared or in-memory store and limit each site key's request rate."""
    url = app.config["RATELIMIT_STORAGE_URI"]
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    app.extensions["moderato.ratelimit"] = RedisWindows(url, prefix) if url else MemoryWindows()
    app.before_request(limit_site_key)


def _windows() -> Windows:
    return current_app.extensions["moderato.ratelimit"]


def _now() -> float:
    return current_app.config["CLOCK"]().timestamp()


def _retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


def limit_site_key() -> None:
    """Refuse a site key's request beyond SITE_REQUESTS_PER_SECOND (429), before any query."""
    limit = current_app.config["SITE_REQUESTS_PER_SECOND"]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    parts = credentials.split(token.strip()) if scheme.lower() == "bearer" else None
    if not limit or parts is None or not parts[0].startswith(f"{credentials.SITE_PREFIX}_"):
        return
    keys = [f"site-key:{parts[0]}"]
    wait = _windows().reserve(keys, limit, 1.0, _now(), uuid.uuid4().hex)
    if wait is not None:
        raise TooManyRequests(
            f"too many requests with this site key: at most {limit} per second",
            _retry_after(wait),
        )


@contextmanager
def reader_slot(site_id: int, ip: str | None, email: str, per_minute: int | None) -> Iterator[None]:
    """Hold a place in the reader's flood window (by IP and by email) while a comment is stored.

    The place is given back if storing fails, so only stored comments count.
    """
    if per_minute is None:
        yield
        return
    keys = [f"flood:{site_id}:email:{email.casefold()}"]
    if ip:
        keys.append(f"flood:{site_id}:ip:{addresses.reader(ip)}")
    entry = uuid.uuid4().hex
    wait = _windows().reserve(keys, per_minute, FLOOD_WINDOW_SECONDS, _now(), entry)
    if wait is not None:
        raise TooManyRequests(
            f"too many comments from this reader: at most {per_minute} per minute",
            _retry_after(wait),
        )
    try:
        yield
    except BaseException:
        _windows().release(keys, entry)
        raise
