"""Settings from the environment, read in one place; a bad one stops the start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse


class ConfigError(RuntimeError):
    """A setting is wrong: the service refuses to start rather than run half-configured."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    smtp_url: str | None
    public_base_url: str
    instance_path: Path
    #: Whether the served app delivers queued receipts by itself (a thread started by gunicorn's hook).
    send_mail_in_background: bool
    #: The Ed25519 key that signs chain checkpoints (created on first use), outside the database.
    checkpoint_key_file: Path
    #: Public keys of retired checkpoint keys, one hex key per line.
    checkpoint_trusted_keys: Path
    #: Argon2's cost for new password hashes: ``standard``, or ``test`` (minimal, for test suites only).
    password_hash_cost: str = "standard"
    #: How many days a new API token works (``API_TOKEN_DAYS``, 1 to 366; default 90).
    api_token_days: int = 90
    #: ``redis://host:port/db``: where every worker counts rate limits (log-in attempts);
    #: without it each process counts in its own memory.
    redis_url: str | None = None
    #: Prefix of the rate-limit counts in Redis (several deployments, or test runs, may share one).
    ratelimit_prefix: str = "khuyenhoc"
    #: Requests per API token (``API_RATE_LIMIT``, Flask-Limiter's notation).
    api_rate_limit: str = "600 per minute"
    #: Whole-chain verifications per association (``VERIFY_CHAIN_RATE``); past it, ``GET …/verify``
    #: answers the last result with its time.
    verify_chain_rate: str = "6 per minute"
    #: A local demonstration (``DEMO_MODE=1``, set by ``scripts/run``): the seeded demo accounts
    #: may keep their printed password. Anywhere else they must change it at their first log-in.
    demo_mode: bool = False


#: ``PASSWORD_HASH_COST``'s values. A cost is named, never given as numbers, so that a deployment
#: cannot weaken its hashes by a typo; ``test`` says in its name that it is for tests.
PASSWORD_HASH_COSTS = ("standard", "test")
#: ``API_TOKEN_DAYS``'s bounds: a token that never expires is what a limit prevents.
API_TOKEN_DAYS_MAX = 366


def _secret_key(instance_path: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into ``instance/``."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters")
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings(instance_path: Path, overrides: dict[str, str] | None = None) -> Settings:
    env = {**os.environ, **(overrides or {})}
    instance_path.mkdir(parents=True, exist_ok=True)
    url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'ledger.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme not in ("sqlite", "postgresql+psycopg", "postgresql"):
        raise ConfigError(f"DATABASE_URL scheme {scheme!r} is not supported: use sqlite:/// or postgresql+psycopg://")
    if scheme == "postgresql":
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme would look for psycopg2.
        url = "postgresql+psycopg" + url[len("postgresql") :]
    smtp_url = env.get("SMTP_URL") or None
    if smtp_url and urlparse(smtp_url).scheme not in ("smtp", "smtps"):
        raise ConfigError("SMTP_URL must look like smtp://user:password@host:port")
    base = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    redis_url = env.get("REDIS_URL") or None
    if redis_url and urlparse(redis_url).scheme not in ("redis", "rediss"):
        raise ConfigError("REDIS_URL must look like redis://host:6379/0")
    return Settings(
        database_url=url,
        secret_key=overrides.get("SECRET_KEY", "")
        if overrides and "SECRET_KEY" in overrides
        else _secret_key(instance_path),
        smtp_url=smtp_url,
        public_base_url=base,
        instance_path=instance_path,
        send_mail_in_background=env.get("SEND_MAIL_IN_BACKGROUND", "0") == "1",
        checkpoint_key_file=Path(env.get("CHECKPOINT_KEY_FILE") or instance_path / "checkpoint_key.pem"),
        checkpoint_trusted_keys=Path(env.get("CHECKPOINT_TRUSTED_KEYS") or instance_path / "checkpoint_keys.pub"),
        password_hash_cost=_password_hash_cost(env),
        api_token_days=_api_token_days(env),
        redis_url=redis_url,
        ratelimit_prefix=env.get("RATELIMIT_KEY_PREFIX") or "khuyenhoc",
        api_rate_limit=_rate(env, "API_RATE_LIMIT", "600 per minute"),
        verify_chain_rate=_rate(env, "VERIFY_CHAIN_RATE", "6 per minute"),
        demo_mode=env.get("DEMO_MODE", "0") == "1",
    )


def _rate(env: dict[str, str], name: str, default: str) -> str:
    from limits import parse_many

    text = env.get(name) or default
    try:
        parse_many(text)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as '600 per minute', not {text!r}") from None
    return text


def _api_token_days(env: dict[str, str]) -> int:
    text = env.get("API_TOKEN_DAYS") or "90"
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= API_TOKEN_DAYS_MAX:
        raise ConfigError(f"API_TOKEN_DAYS must be a whole number of days from 1 to {API_TOKEN_DAYS_MAX}, not {text!r}")
    return int(text)


def _password_hash_cost(env: dict[str, str]) -> str:
    cost = env.get("PASSWORD_HASH_COST") or "standard"
    if cost not in PASSWORD_HASH_COSTS:
        raise ConfigError(f"PASSWORD_HASH_COST must be one of {', '.join(PASSWORD_HASH_COSTS)}, not {cost!r}")
    return cost
