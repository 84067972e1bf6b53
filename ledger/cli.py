"""The flask command groups of API.md: ``db``, ``users``, ``associations``, ``ledger``, ``demo``."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.domain.errors import LedgerError
from ledger.persistence.migrate import upgrade
from ledger.persistence.models import Association
from ledger.services import associations, users, verification
from ledger.services.access import Actor
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
@click.option("--role", required=True, type=click.Choice(["treasurer", "accountant", "approver", "auditor", "donor"]))
@click.option("--donor-id", type=int, default=None, help="For a donor login: which donor it is.")
def users_grant(email: str, association_code: str, role: str, donor_id: int | None) -> None:
    """Give a user a role in an association."""
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
            token = users.issue_token(uow, Actor.system(), email)
            uow.commit()
    except LedgerError as error:
        fail(error)
    click.echo(token)


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
def ledger_verify(association_code: str | None, workers: int) -> None:
    """Recompute every hash chain (and balance); exit 1 naming the first bad entry."""
    bad = False
    with UnitOfWork(database(), write=False, snapshot=True) as uow:
        stmt = select(Association).order_by(Association.code)
        if association_code:
            stmt = stmt.where(Association.code == association_code)
        found = list(uow.session.execute(stmt).scalars())
        if association_code and not found:
            click.echo(f"no association {association_code}", err=True)
            sys.exit(2)
        for association in found:
            report = verification.verify_association(uow, association, workers=workers)
            mismatches = verification.check_balances(uow, association)
            for problem in verification.check_documents(uow, association):
                bad = True
                click.echo(f"{association.code}: {problem}")
            if report.ok:
                click.echo(
                    f"{association.code}: ok, {report.entries} entries, head {report.head_seq} {report.head_hash}"
                )
            else:
                bad = True
                click.echo(
                    f"{association.code}: BROKEN at entry {report.first_bad_seq}: {report.reason} "
                    f"(last good entry {report.head_seq})"
                )
            for m in mismatches:
                bad = True
                click.echo(
                    f"{association.code}: balance of account {m.account} fund {m.fund}"
                    f"{' item ' + m.item if m.item else ''} is {m.materialised_vnd} but the lines give "
                    f"{m.recomputed_vnd}"
                )
    sys.exit(1 if bad else 0)


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
