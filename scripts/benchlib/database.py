"""Fresh databases for a run (a temporary SQLite file, a PostgreSQL schema made and dropped) and the tree set up in them."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchlib.generate import (
    BENEFICIARIES_PER_ASSOCIATION,
    CATEGORIES,
    COMPANIES,
    DONORS_PER_ASSOCIATION,
    FUNDS,
    SCHOOLS,
    TREE,
    People,
    person_name,
)
from sqlalchemy import Engine, create_engine, select

from ledger.persistence.engine import make_engine
from ledger.persistence.migrate import upgrade
from ledger.persistence.models import Association, Beneficiary, Donor
from ledger.services import associations, parties, users
from ledger.services.access import Actor
from ledger.services.funds import FundCommand, create_fund_in
from ledger.services.handlers import HANDLERS
from ledger.services.unit_of_work import Database, UnitOfWork

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SYSTEM = Actor.system()
TREASURER_EMAIL = "thuquy@bench.khuyenhoc.vn"
TREASURER_PASSWORD = "khuyenhoc-bench"


@dataclass(frozen=True)
class Target:
    """Where one database's run lives: ``kind`` is ``sqlite`` or ``postgresql``."""

    kind: str
    url: str
    #: The PostgreSQL schema to drop at the end, or the SQLite file's directory.
    handle: str

    def engine(self) -> Engine:
        return make_engine(self.url)

    def database(self) -> Database:
        return Database.for_engine(self.engine(), HANDLERS)


def create_target(kind: str, pg_url: str = DEFAULT_PG_URL) -> Target:
    """An empty database migrated to head."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="ledger-bench-")
        target = Target("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", folder)
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        joiner = "&" if "?" in pg_url else "?"
        target = Target("postgresql", f"{pg_url}{joiner}options=-csearch_path%3D{schema}", schema)
    engine = target.engine()
    upgrade(engine)
    engine.dispose()
    return target


def drop_target(target: Target, pg_url: str = DEFAULT_PG_URL) -> None:
    if target.kind == "sqlite":
        for name in os.listdir(target.handle):
            os.unlink(Path(target.handle) / name)
        os.rmdir(target.handle)
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {target.handle} CASCADE")
    admin.dispose()


def set_up_tree(db: Database) -> str:
    """The associations, their funds, donors and beneficiaries, and a treasurer of the city; returns the token."""
    import random

    rng = random.Random(7)
    for code, name, level, parent, _share in TREE:
        with UnitOfWork(db) as uow:
            association = associations.create_association(
                uow, SYSTEM, associations.AssociationCommand(code, name, level, parent)
            )
            for fund_code, preset in FUNDS:
                create_fund_in(uow, SYSTEM, association, FundCommand(code=fund_code, preset=preset))
            for i in range(DONORS_PER_ASSOCIATION):
                organisation = i % 10 == 0
                parties.create_donor(
                    uow,
                    SYSTEM,
                    association,
                    parties.DonorCommand(
                        name=rng.choice(COMPANIES) if organisation else person_name(rng),
                        kind="organisation" if organisation else "person",
                        address=f"Số {rng.randint(1, 200)} Hùng Vương, Đông Hà, Quảng Trị",
                    ),
                )
            for _ in range(BENEFICIARIES_PER_ASSOCIATION):
                parties.create_beneficiary(
                    uow,
                    SYSTEM,
                    association,
                    parties.BeneficiaryCommand(
                        name=person_name(rng),
                        category=rng.choice(CATEGORIES),
                        school=rng.choice(SCHOOLS),
                        grade=str(rng.randint(1, 12)),
                    ),
                )
            uow.commit()
    with UnitOfWork(db) as uow:
        users.create_user(uow, SYSTEM, TREASURER_EMAIL, TREASURER_PASSWORD, name="Trần Văn Bình")
        users.grant(uow, SYSTEM, TREASURER_EMAIL, "QT-DH", "treasurer")
        token = users.issue_token(uow, SYSTEM, TREASURER_EMAIL)
        uow.commit()
    return token


def people(db: Database) -> People:
    donors: dict[str, list[int]] = {}
    beneficiaries: dict[str, list[int]] = {}
    with UnitOfWork(db, write=False) as uow:
        for code, *_ in TREE:
            assoc_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
            donors[code] = list(
                uow.session.execute(
                    select(Donor.id).where(Donor.association_id == assoc_id).order_by(Donor.id)
                ).scalars()
            )
            beneficiaries[code] = list(
                uow.session.execute(
                    select(Beneficiary.id).where(Beneficiary.association_id == assoc_id).order_by(Beneficiary.id)
                ).scalars()
            )
    return People(donors, beneficiaries)
