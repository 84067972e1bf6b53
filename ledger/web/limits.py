"""Rate limits whose counts every worker shares: Redis when ``REDIS_URL`` is set, else the process's memory.

- the API: ``API_RATE_LIMIT`` requests per bearer token (every resource's blueprint,
  ``runtime.api_blueprint``);
- ``GET …/verify`` recomputes a whole chain (seconds at 10^6 entries): ``VERIFY_CHAIN_RATE``
  per association, past which it answers the last result with the time it was computed;
- the public receipt verification page (``web/pages``), per client address.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse

from ledger.config import Settings
from ledger.extensions import limiter


def configure(app: Flask, settings: Settings) -> None:
    """Point the limiter at the settings' storage (before ``limiter.init_app``)."""
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX=settings.ratelimit_prefix,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.extensions["ledger.last_results"] = (
        RedisResults(settings.redis_url, settings.ratelimit_prefix) if settings.redis_url else MemoryResults()
    )


def token_key() -> str:
    """Who an API request counts against: its bearer token (hashed: no token is kept in Redis),
    or its address when it has none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "address:" + get_remote_address()


def _api_rate() -> str:
    return str(current_app.extensions["ledger.settings"].api_rate_limit)


def limit_per_token() -> Callable[[Any], Any]:
    """The API's limit per token, for a blueprint (``limiter.limit(...)(blp)``)."""
    return limiter.limit(_api_rate, key_func=token_key)


class LastResults(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class MemoryResults:
    """The last results in this process (one worker, or tests)."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._values.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._values[key] = value


class RedisResults:
    """The last results in Redis, where every worker finds them; kept a day."""

    TTL_S = 24 * 3600

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._prefix = f"{prefix}:last:"

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._client.get(self._prefix + key)
        found: dict[str, Any] | None = json.loads(raw) if raw else None
        return found

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._client.set(self._prefix + key, json.dumps(value), ex=self.TTL_S)


def chain_verification_allowed(association: str) -> bool:
    """Count a whole-chain verification of ``association``; False once ``VERIFY_CHAIN_RATE`` is used up."""
    settings = current_app.extensions["ledger.settings"]
    rate = parse(settings.verify_chain_rate)
    return bool(limiter.limiter.hit(rate, settings.ratelimit_prefix, "verify-chain", association))


def last_results() -> LastResults:
    found: LastResults = current_app.extensions["ledger.last_results"]
    return found
