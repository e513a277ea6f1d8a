"""Limits: per reader (flood control), per site (requests), per address (failed authentications).

Two shapes of limit share one store. A sliding window of entries per key says
"at most N in T seconds, and none within S of the last" (readers, failures); a
token bucket per key says "R a second on average, in bursts of up to B" (sites).
They live in Redis when RATELIMIT_STORAGE_URI names one, so every worker on every
host shares them; otherwise in this process's memory. Time comes from the app's
clock, so tests move it instead of sleeping.
"""

import logging
import math
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import redis
from flask import Flask, current_app

from . import addresses
from .errors import TooManyRequests

log = logging.getLogger(__name__)

FLOOD_WINDOW_SECONDS = 60.0
AUTH_FAILURE_WINDOW_SECONDS = 60.0


class Windows(Protocol):
    """A store of timestamped entries and token buckets per key, each changed atomically."""

    def reserve(
        self,
        keys: Sequence[str],
        limit: int,
        window: float,
        now: float,
        entry: str | None,
        spacing: float = 0.0,
    ) -> float | None:
        """Add the entry under every key if each has room; None: only look, add nothing.

        A key has room with fewer than `limit` entries in the last `window` seconds
        and none in the last `spacing`. Return None when it has, else the seconds
        until every key has.
        """

    def release(self, keys: Sequence[str], entry: str) -> None:
        """Remove an entry added by reserve."""

    def take(self, key: str, rate: float, burst: int, now: float) -> float | None:
        """Take a token from the key's bucket (`burst` tokens, refilled at `rate` a second).

        Return None when taken, else the seconds until a token is there.
        """


class MemoryWindows:
    """Windows and buckets in this process's memory: one worker's view only."""

    def __init__(self):
        self._entries: dict[str, dict[str, float]] = {}
        # One bucket per site that authenticated: as many as there are sites.
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._longest = 0.0
        self._sweep_at = 1024

    def reserve(self, keys, limit, window, now, entry, spacing=0.0):
        """Add the entry under every key unless one has no room; else the seconds to wait."""
        kept = max(window, spacing)
        with self._lock:
            self._longest = max(self._longest, kept)
            if len(self._entries) >= self._sweep_at:
                self._sweep(now)
            live = {key: self._live(key, now - kept) for key in keys}
            waits = [
                wait
                for times in live.values()
                if (wait := _wait(sorted(times.values()), limit, window, spacing, now)) is not None
            ]
            if waits:
                return max(waits)
            if entry is not None:
                for key in keys:
                    self._entries[key] = {**live[key], entry: now}
            return None

    def release(self, keys, entry):
        """Remove the entry from every key."""
        with self._lock:
            for key in keys:
                self._entries.get(key, {}).pop(entry, None)

    def take(self, key, rate, burst, now):
        """Take a token from the key's bucket, or say how long until there is one."""
        with self._lock:
            tokens, at = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - at) * rate)
            if tokens < 1:
                return (1 - tokens) / rate
            self._buckets[key] = (tokens - 1, max(at, now))
            return None

    def _live(self, key: str, since: float) -> dict[str, float]:
        return {e: t for e, t in self._entries.get(key, {}).items() if t > since}

    def _sweep(self, now: float) -> None:
        """Forget keys with nothing left in any window, so memory stays bounded."""
        self._entries = {
            key: live for key in self._entries if (live := self._live(key, now - self._longest))
        }
        self._sweep_at = max(1024, 2 * len(self._entries))


def _wait(times: list[float], limit: int, window: float, spacing: float, now: float):
    """Seconds until a key with entries at `times` (oldest first) has room; None: it has."""
    recent = [t for t in times if t > now - window]
    waits = []
    if len(recent) >= limit:
        # The entry whose leaving brings the count under the limit.
        waits.append(recent[len(recent) - limit] + window - now)
    if times and times[-1] + spacing > now:
        waits.append(times[-1] + spacing - now)
    return max(waits, default=None)


# Atomic in Redis, as _wait above: drop entries past both windows, refuse if any
# key has no room, else add the entry (unless it is empty: only looking) to all.
_RESERVE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local entry, spacing = ARGV[4], tonumber(ARGV[5])
local kept = math.max(window, spacing)
local wait = nil
for _, key in ipairs(KEYS) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - kept)
    local recent = redis.call('ZCOUNT', key, '(' .. (now - window), '+inf')
    if recent >= limit then
        local leaving = redis.call(
            'ZRANGEBYSCORE', key, '(' .. (now - window), '+inf',
            'WITHSCORES', 'LIMIT', recent - limit, 1)
        wait = math.max(wait or 0, tonumber(leaving[2]) + window - now)
    end
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
    if newest and tonumber(newest) + spacing > now then
        wait = math.max(wait or 0, tonumber(newest) + spacing - now)
    end
end
if wait then return tostring(wait) end
if entry == '' then return false end
for _, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, entry)
    redis.call('EXPIRE', key, math.ceil(kept))
end
return false
"""

# Atomic in Redis, as MemoryWindows.take: refill for the time passed, take a token.
_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or burst, tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < 1 then return tostring((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', math.max(at, now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return false
"""


class RedisWindows:
    """Windows and buckets in Redis, shared by every worker that points at it."""

    def __init__(self, url: str, prefix: str):
        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._reserve = self._client.register_script(_RESERVE)
        self._take = self._client.register_script(_TAKE)
        self._prefix = prefix

    def reserve(self, keys, limit, window, now, entry, spacing=0.0):
        """Add the entry under every key unless one has no room; fail open if Redis is down."""
        args = [now, window, limit, entry or "", spacing]
        return self._run(self._reserve, self._keys(keys), args)

    def release(self, keys, entry):
        """Remove the entry from every key."""
        try:
            for key in self._keys(keys):
                self._client.zrem(key, entry)
        except redis.RedisError as error:
            log.error("rate limit storage unavailable, entry not released: %s", error)

    def take(self, key, rate, burst, now):
        """Take a token from the key's bucket; fail open if Redis is down."""
        return self._run(self._take, self._keys([key]), [rate, burst, now])

    def _run(self, script, keys: list[str], args: list) -> float | None:
        try:
            wait = script(keys=keys, args=args)
        except redis.RedisError as error:
            # A comment is never lost because a component failed.
            log.error("rate limit storage unavailable, not limiting: %s", error)
            return None
        return None if wait is None else float(wait)

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [f"{self._prefix}:{key}" for key in keys]


def init_app(app: Flask) -> None:
    """Pick the shared or in-memory store."""
    url = app.config["RATELIMIT_STORAGE_URI"]
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    app.extensions["moderato.ratelimit"] = RedisWindows(url, prefix) if url else MemoryWindows()


def _windows() -> Windows:
    return current_app.extensions["moderato.ratelimit"]


def _now() -> float:
    return current_app.config["CLOCK"]().timestamp()


def _retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


def charge_site(site_id: int) -> None:
    """Spend one of an authenticated site's requests; 429 when its burst is used up."""
    rate = current_app.config["SITE_REQUESTS_PER_SECOND"]
    if not rate:
        return
    burst = max(1, current_app.config["SITE_REQUEST_BURST"])
    wait = _windows().take(f"site:{site_id}", rate, burst, _now())
    if wait is not None:
        raise TooManyRequests(
            f"too many requests with this site key: at most {rate} per second",
            _retry_after(wait),
        )


def _failures(source: str | None) -> tuple[list[str], int]:
    """The failed-authentication counter of a source address, and its limit."""
    where = addresses.client(source)
    return [f"auth-failures:{where}"], current_app.config["AUTH_FAILURES_PER_MINUTE"]


def refuse_failing_source(source: str | None) -> None:
    """Refuse (429) an address that failed to authenticate too often, before any lookup."""
    keys, limit = _failures(source)
    if not limit:
        return
    # Looked at, not reserved: a request that will authenticate must not hold a
    # failure's place while it is checked, or a busy site's requests in flight
    # would refuse the site. Guesses sent at once may overshoot by those in flight.
    wait = _windows().reserve(keys, limit, AUTH_FAILURE_WINDOW_SECONDS, _now(), None)
    if wait is not None:
        raise TooManyRequests(
            f"too many failed authentications from this address: at most {limit} per minute",
            _retry_after(wait),
        )


def count_failure(source: str | None) -> None:
    """Count a failed authentication against its source address."""
    keys, limit = _failures(source)
    if limit:
        _windows().reserve(keys, limit, AUTH_FAILURE_WINDOW_SECONDS, _now(), uuid.uuid4().hex)


def _flood_message(per_minute: int | None, interval: float) -> str:
    """Say what a reader may post: so many a minute, one every so many seconds, or both."""
    rules = [f"at most {per_minute} per minute"] if per_minute else []
    if interval:
        rules.append(f"one every {interval:g} seconds")
    return f"too many comments from this reader: {' and '.join(rules)}"


@contextmanager
def reader_slot(
    site_id: int, ip: str | None, email: str, per_minute: int | None, interval: float = 0.0
) -> Iterator[None]:
    """Hold a place in the reader's flood window (by IP and by email) while a comment is stored.

    A reader may store `per_minute` comments a minute (None: any number) and one
    every `interval` seconds (0: any spacing). The place is given back if storing
    fails, so only stored comments count.
    """
    if per_minute is None and not interval:
        yield
        return
    keys = [f"flood:{site_id}:email:{email.casefold()}"]
    if ip:
        keys.append(f"flood:{site_id}:ip:{addresses.reader(ip)}")
    entry = uuid.uuid4().hex
    # Without a per-minute limit, "one every interval" is a window of one entry.
    limit, window = (per_minute, FLOOD_WINDOW_SECONDS) if per_minute else (1, interval)
    wait = _windows().reserve(keys, limit, window, _now(), entry, interval)
    if wait is not None:
        raise TooManyRequests(_flood_message(per_minute, interval), _retry_after(wait))
    try:
        yield
    except BaseException:
        _windows().release(keys, entry)
        raise
