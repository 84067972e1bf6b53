"""The flask command groups of API.md: ``db``, ``users``, ``associations``, ``ledger``, ``demo``."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.domain.errors import LedgerError
from ledger.persistence.migrate import upgrade
from ledger.persistence.models import Association
from ledger.services import associations, checkpoints, users, verification
from ledger.services.access import Actor, Role
from ledger.services.unit_of_work import Database, UnitOfWork

db_cli = AppGroup("db", help="The database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Users, roles and API tokens.")
associations_cli = AppGroup("associations", help="Associations and their books.")
ledger_cli = AppGroup("ledger", help="Checks on the journal.")
receipts_cli = AppGroup("receipts", help="Receipts: e-mail delivery from the outbox.")


def database() -> Database:
    db: Database = current_app.extensions["ledger.db"]
    return db


def work(write: bool = True) -> UnitOfWork:
    return UnitOfWork(database(), write=write, clock=current_app.extensions["ledger.clock"])


def fail(error: LedgerError) -> None:
    click.echo(f"error ({error.code}): {error.detail('en')}", err=True)
    if error.errors:
        for field, problems in error.errors.items():
            click.echo(f"  {field}: {problems}", err=True)
    sys.exit(2)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest revision."""
    upgrade(database().engine)
    click.echo("database is at the newest revision")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="A system administrator.")
def users_create(email: str, name: str, password_stdin: bool, admin: bool) -> None:
    """Create a user; the password is read from standard input, never from the command line."""
    if not password_stdin:
        raise click.UsageError("pass --password-stdin and write the password to standard input")
    password = sys.stdin.readline().rstrip("\n")
    try:
        with work() as uow:
            users.create_user(uow, Actor.system(), email, password, name=name, is_admin=admin)
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(f"created user {email.strip().lower()}")


@users_cli.command("grant")
@click.option("--email", required=True)
@click.option("--association", "association_code", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--donor-id", type=int, default=None, help="For a donor login: which donor it is.")
def users_grant(email: str, association_code: str, role: str, donor_id: int | None) -> None:
    """Give a user a role in an association (refused when it would give one person maker and approver,
    or treasurer and accountant, in one association)."""
    try:
        with work() as uow:
            users.grant(uow, Actor.system(), email, association_code, role, donor_id)
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(f"{email} is {role} of {association_code}")


@users_cli.command("token")
@click.option("--email", required=True)
def users_token(email: str) -> None:
    """Print a new API token on standard output, and nothing else."""
    try:
        with work() as uow:
            token = users.issue_token(
                uow, Actor.system(), email, days=current_app.extensions["ledger.settings"].api_token_days
            )
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(token)


@users_cli.command("tokens")
@click.option("--email", required=True)
def users_tokens(email: str) -> None:
    """List a user's API tokens: id, status, issued, expires, revoked (never the token itself)."""
    try:
        with work(write=False) as uow:
            tokens = users.list_tokens(uow, Actor.system(), email)
    except LedgerError as error:
        fail(error)
    for t in tokens:
        revoked = t.revoked_at.isoformat() if t.revoked_at else "-"
        click.echo(f"{t.id}\t{t.status}\t{t.created_at.isoformat()}\t{t.expires_at.isoformat()}\t{revoked}")


@users_cli.command("revoke-token")
@click.option("--email", required=True)
@click.option("--token-id", type=click.IntRange(1), default=None, help="The token's id (users tokens).")
@click.option("--all", "every", is_flag=True, help="Every token of the user.")
def users_revoke_token(email: str, token_id: int | None, every: bool) -> None:
    """Revoke one API token of a user, or all of them: refused from the next request on."""
    if (token_id is None) != every:
        raise click.UsageError("give --token-id N or --all")
    try:
        with work() as uow:
            tokens = users.revoke_tokens(uow, Actor.system(), email, token_id)
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(f"revoked {len(tokens)} token(s) of {email.strip().lower()}")


@users_cli.command("disable")
@click.option("--email", required=True)
def users_disable(email: str) -> None:
    """Disable a user: their tokens and sessions are refused from the next request on."""
    _set_disabled(email, disabled=True)


@users_cli.command("enable")
@click.option("--email", required=True)
def users_enable(email: str) -> None:
    """Enable a disabled user again (tokens that expired or were revoked meanwhile stay so)."""
    _set_disabled(email, disabled=False)


def _set_disabled(email: str, *, disabled: bool) -> None:
    try:
        with work() as uow:
            view = users.set_disabled(uow, Actor.system(), email, disabled=disabled)
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(f"{view.email} is {'disabled' if disabled else 'enabled'}")


@users_cli.command("revoke")
@click.option("--email", required=True)
@click.option("--association", "association_code", required=True)
@click.option("--role", required=True)
def users_revoke(email: str, association_code: str, role: str) -> None:
    """Take a role in an association from a user, from their next request on."""
    try:
        with work() as uow:
            removed = users.revoke_role(uow, Actor.system(), email, association_code, role)
            uow.commit()
    except LedgerError as error:
        fail(error)
    if removed:
        click.echo(f"{email} is no longer {role} of {association_code}")
    else:
        click.echo(f"{email} was not {role} of {association_code}")


@associations_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice(associations.LEVELS))
@click.option("--parent", default=None)
@click.option("--address", default="")
def associations_create(code: str, name: str, level: str, parent: str | None, address: str) -> None:
    """Create an association with the standard chart of accounts and the fund GENERAL."""
    try:
        with work() as uow:
            associations.create_association(
                uow, Actor.system(), associations.AssociationCommand(code, name, level, parent, address)
            )
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(f"created association {code}")


@ledger_cli.command("verify")
@click.option("--association", "association_code", default=None, help="Only this association.")
@click.option(
    "--workers",
    default=min(os.cpu_count() or 1, 8),
    show_default="the machine's cores, at most 8",
    type=click.IntRange(1, 64),
    help="Processes that verify stretches of a long chain side by side.",
)
@click.option(
    "--against",
    "against_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="A digest saved earlier (the JSON of GET …/verify, or lines 'ASSOCIATION SEQ HASH'): "
    "the chain must still pass through it.",
)
def ledger_verify(association_code: str | None, workers: int, against_file: Any) -> None:
    """Recompute every hash chain, check it against the signed checkpoints (and a saved digest),
    recompute balances and compare every document with its entry; exit 1 naming the first bad entry."""
    digests: list[verification.Digest] = []
    if against_file is not None:
        try:
            digests = verification.read_digests(against_file.read())
        except ValueError as error:
            raise click.UsageError(f"--against: {error}") from error
    bad = False
    with UnitOfWork(database(), write=False, snapshot=True) as uow:
        stmt = select(Association).order_by(Association.code)
        if association_code:
            stmt = stmt.where(Association.code == association_code)
        found = list(uow.session.execute(stmt).scalars())
        if association_code and not found:
            click.echo(f"no association {association_code}", err=True)
            sys.exit(2)
        codes = {a.code for a in found}
        for digest in digests:
            if (digest.association or association_code) not in codes:
                raise click.UsageError(
                    f"--against names association {digest.association!r}, which is not verified here"
                )
        for association in found:
            mine = [d for d in digests if (d.association or association_code) == association.code]
            report = verification.verify_books(uow, association, workers=workers, against=mine)
            code, chain = association.code, report.chain
            if report.ok:
                click.echo(f"{code}: ok, {chain.entries} entries, head {chain.head_seq} {chain.head_hash}")
            else:
                bad = True
                if not chain.ok:
                    click.echo(
                        f"{code}: BROKEN at entry {chain.first_bad_seq}: {chain.reason} (last good entry {chain.head_seq})"
                    )
                for problem in report.anchor_problems:
                    click.echo(f"{code}: BROKEN at entry {report.first_bad_seq}: {problem}")
                for problem in report.document_problems:
                    click.echo(f"{code}: {problem}")
                for m in report.balance_mismatches:
                    click.echo(
                        f"{code}: balance of account {m.account} fund {m.fund}"
                        f"{' item ' + m.item if m.item else ''} is {m.materialised_vnd} "
                        f"(quantity {m.materialised_quantity}) but the lines give {m.recomputed_vnd} "
                        f"(quantity {m.recomputed_quantity})"
                    )
            last = report.last_checkpoint
            if last is not None:
                click.echo(
                    f"{code}: {report.checkpoints} signed checkpoints, the newest at entry {last.seq} "
                    f"on {last.signed_at:%Y-%m-%d} (key {last.key_id})"
                )
    sys.exit(1 if bad else 0)


@ledger_cli.command("checkpoint")
@click.option("--association", "association_code", default=None, help="Only this association.")
def ledger_checkpoint(association_code: str | None) -> None:
    """Sign every association's chain head that moved since its newest checkpoint, now (the
    served app signs daily by itself; run this from cron where it is not served by gunicorn)."""
    keys = database().checkpoint_keys
    assert keys is not None
    signed = checkpoints.sign_due(
        database(), keys, current_app.extensions["ledger.clock"], reason="manual", only=association_code
    )
    click.echo(f"signed {len(signed)} checkpoints" + (f": {', '.join(signed)}" if signed else ""))


@ledger_cli.command("checkpoint-key")
@click.option("--rotate", is_flag=True, help="Retire the current key (it stays trusted) and make a new one.")
def ledger_checkpoint_key(rotate: bool) -> None:
    """Print the id and public key of the checkpoint signing key (publish them), or rotate it."""
    keys = database().checkpoint_keys
    assert keys is not None
    if rotate:
        old, new = keys.rotate()
        click.echo(f"retired key {old} (still trusted, in {keys.trusted_path}); signing with key {new}")
    public = keys.signing_key().public_key()
    click.echo(f"key {checkpoints.key_id(public)} public {checkpoints.public_hex(public)}")


@receipts_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds.")
@click.option("--interval", default=30, show_default=True)
def receipts_send(loop: bool, interval: int) -> None:
    """Deliver the receipts waiting in the outbox (retrying with back-off when SMTP is down)."""
    import time

    from ledger.services.outbox import deliver_due

    settings = current_app.extensions["ledger.settings"]
    if not settings.smtp_url:
        raise click.UsageError("set SMTP_URL (smtp://user:password@host:port) to send receipts")
    while True:
        report = deliver_due(
            database(), settings.smtp_url, settings.public_base_url, current_app.extensions["ledger.clock"]
        )
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        if not loop:
            return
        time.sleep(interval)


def register_cli(app: Flask) -> None:
    from ledger.demo import demo_cli
    from ledger.disbursements_cli import disbursements_cli
    from ledger.reports_cli import ledger_export  # noqa: F401 - adds `ledger export` and `ledger report`

    for group in (db_cli, users_cli, associations_cli, ledger_cli, receipts_cli, demo_cli, disbursements_cli):
        app.cli.add_command(group)
