"""The command line of API.md, as an administrator setting up an association would use it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.factories import auth, unique_code


def test_an_administrator_sets_up_an_association_and_a_treasurer_from_the_command_line(
    app: Flask, runner: FlaskCliRunner
) -> None:
    code = unique_code("QT-GL")
    email = f"{code.lower()}@khuyenhoc.vn"
    created = runner.invoke(
        args=[
            "associations",
            "create",
            "--code",
            code,
            "--name",
            "Hội Khuyến học huyện Gio Linh",
            "--level",
            "district",
        ]
    )
    assert created.exit_code == 0, created.output
    user = runner.invoke(args=["users", "create", "--email", email, "--password-stdin"], input="mật-khẩu-đủ-dài-2026\n")
    assert user.exit_code == 0, user.output
    granted = runner.invoke(args=["users", "grant", "--email", email, "--association", code, "--role", "treasurer"])
    assert granted.exit_code == 0, granted.output
    token = runner.invoke(args=["users", "token", "--email", email])
    assert token.exit_code == 0
    # Only the token on standard output, so that scripts can capture it.
    assert token.output.count("\n") == 1 and token.output.startswith("khl_")
    funds = app.test_client().get(f"/api/v1/associations/{code}/funds", headers=auth(token.output.strip()))
    assert funds.status_code == 200 and funds.get_json()["items"][0]["code"] == "GENERAL"
    verified = runner.invoke(args=["ledger", "verify", "--association", code])
    assert verified.exit_code == 0 and f"{code}: ok, 0 entries" in verified.output


def test_the_command_line_refuses_bad_input_with_a_reason(runner: FlaskCliRunner) -> None:
    short = runner.invoke(args=["users", "create", "--email", "a@b.vn", "--password-stdin"], input="ngắn\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    orphan = runner.invoke(
        args=["associations", "create", "--code", "X-1", "--name", "X", "--level", "commune", "--parent", "NO-SUCH"]
    )
    assert orphan.exit_code == 2 and "parent association NO-SUCH" in orphan.output
    unknown = runner.invoke(args=["ledger", "verify", "--association", "NO-SUCH"])
    assert unknown.exit_code == 2
