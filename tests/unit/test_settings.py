"""Settings from the environment: the password-hashing cost is named, and a wrong name stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ledger.config import ConfigError, load_settings
from ledger.services import users

SECRET = {"SECRET_KEY": "a-secret-key-for-this-test"}


def test_passwords_are_hashed_at_the_standard_cost_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASSWORD_HASH_COST", raising=False)
    assert load_settings(tmp_path, SECRET).password_hash_cost == "standard"
    # The standard cost is argon2-cffi's own default (RFC 9106, low memory): production did not change.
    assert users._HASHERS["standard"].time_cost == PasswordHasher().time_cost
    assert users._HASHERS["standard"].memory_cost == PasswordHasher().memory_cost
    assert users._HASHERS["standard"].parallelism == PasswordHasher().parallelism


@pytest.mark.parametrize("cost", ["cheap", "TEST", "1"])
def test_an_unknown_password_hash_cost_stops_the_start(tmp_path: Path, cost: str) -> None:
    with pytest.raises(ConfigError, match="PASSWORD_HASH_COST"):
        load_settings(tmp_path, {**SECRET, "PASSWORD_HASH_COST": cost})


def test_a_hash_carries_its_cost_so_the_standard_hasher_verifies_a_test_hash() -> None:
    hashed = users._HASHERS["test"].hash("mật khẩu đủ dài")
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert users._HASHERS["standard"].verify(hashed, "mật khẩu đủ dài")


def test_api_tokens_work_ninety_days_unless_api_token_days_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("API_TOKEN_DAYS", raising=False)
    assert load_settings(tmp_path, SECRET).api_token_days == 90
    assert load_settings(tmp_path, {**SECRET, "API_TOKEN_DAYS": "30"}).api_token_days == 30


@pytest.mark.parametrize("days", ["0", "367", "-5", "90d", "٣٠"])
def test_a_token_lifetime_out_of_bounds_stops_the_start(tmp_path: Path, days: str) -> None:
    with pytest.raises(ConfigError, match="API_TOKEN_DAYS"):
        load_settings(tmp_path, {**SECRET, "API_TOKEN_DAYS": days})
