"""Donors who give and beneficiaries who receive: students, teachers, schools, families."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ledger.domain.errors import NotFound, ValidationFailed
from ledger.domain.events import BeneficiaryCreated, DonorCreated
from ledger.domain.policy import BENEFICIARY_CATEGORIES
from ledger.domain.text import refuse_line_breaks
from ledger.persistence.models import Association, Beneficiary, Donor
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork

DONOR_KINDS = ("person", "organisation")
BENEFICIARY_KINDS = ("student", "teacher", "school", "family")


@dataclass(frozen=True)
class DonorCommand:
    name: str
    kind: str = "person"
    address: str = ""
    tax_code: str | None = None
    email: str | None = None
    phone: str | None = None
    anonymous: bool = False


@dataclass(frozen=True)
class BeneficiaryCommand:
    name: str
    category: str
    kind: str = "student"
    school: str = ""
    grade: str = ""
    address: str = ""
    is_minor: bool = True
    #: The parent or guardian on record who receives and signs for a minor's money.
    guardian_name: str = ""
    guardian_relation: str = ""


@dataclass(frozen=True)
class DonorView:
    id: int
    name: str
    kind: str
    address: str
    tax_code: str | None
    email: str | None
    phone: str | None
    anonymous: bool


@dataclass(frozen=True)
class BeneficiaryView:
    id: int
    name: str
    category: str
    kind: str
    school: str
    grade: str
    address: str
    is_minor: bool
    guardian_name: str = ""
    guardian_relation: str = ""


def donor_view(donor: Donor) -> DonorView:
    return DonorView(
        donor.id, donor.name, donor.kind, donor.address, donor.tax_code, donor.email, donor.phone, donor.anonymous
    )


def beneficiary_view(b: Beneficiary) -> BeneficiaryView:
    return BeneficiaryView(
        b.id, b.name, b.category, b.kind, b.school, b.grade, b.address, b.is_minor, b.guardian_name, b.guardian_relation
    )


def create_donor(uow: UnitOfWork, actor: Actor, association: Association, cmd: DonorCommand) -> DonorView:
    if cmd.kind not in DONOR_KINDS:
        raise ValidationFailed(
            "Loại nhà tài trợ không hợp lệ.",
            "Unknown donor kind.",
            errors={"kind": [f"must be one of {', '.join(DONOR_KINDS)}"]},
        )
    # The name and address go into the receipt e-mail's headers.
    refuse_line_breaks(name=cmd.name, email=cmd.email)
    donor = Donor(association_id=association.id, created_at=uow.clock(), **cmd.__dict__)
    uow.session.add(donor)
    uow.session.flush()
    uow.emit(DonorCreated(by=actor, association_id=association.id, donor_id=donor.id))
    return donor_view(donor)


def create_beneficiary(
    uow: UnitOfWork, actor: Actor, association: Association, cmd: BeneficiaryCommand
) -> BeneficiaryView:
    errors: dict[str, list[str]] = {}
    if cmd.kind not in BENEFICIARY_KINDS:
        errors["kind"] = [f"must be one of {', '.join(BENEFICIARY_KINDS)}"]
    if cmd.category not in BENEFICIARY_CATEGORIES:
        errors["category"] = [f"must be one of {', '.join(BENEFICIARY_CATEGORIES)}"]
    if errors:
        raise ValidationFailed(
            "Thông tin người thụ hưởng không hợp lệ.", "The beneficiary has wrong fields.", errors=errors
        )
    beneficiary = Beneficiary(association_id=association.id, created_at=uow.clock(), **cmd.__dict__)
    uow.session.add(beneficiary)
    uow.session.flush()
    uow.emit(BeneficiaryCreated(by=actor, association_id=association.id, beneficiary_id=beneficiary.id))
    return beneficiary_view(beneficiary)


def find_donor(uow: UnitOfWork, association: Association, donor_id: int) -> Donor:
    donor = uow.session.get(Donor, donor_id)
    # Another association's donor is "not found": its existence is not revealed.
    if donor is None or donor.association_id != association.id:
        raise NotFound(f"nhà tài trợ {donor_id}", f"donor {donor_id}")
    return donor


def get_donor(uow: UnitOfWork, association: Association, donor_id: int) -> DonorView:
    return donor_view(find_donor(uow, association, donor_id))


def find_beneficiary(uow: UnitOfWork, association: Association, beneficiary_id: int) -> Beneficiary:
    beneficiary = uow.session.get(Beneficiary, beneficiary_id)
    if beneficiary is None or beneficiary.association_id != association.id:
        raise NotFound(f"người thụ hưởng {beneficiary_id}", f"beneficiary {beneficiary_id}")
    return beneficiary


def get_beneficiary(uow: UnitOfWork, association: Association, beneficiary_id: int) -> BeneficiaryView:
    return beneficiary_view(find_beneficiary(uow, association, beneficiary_id))


def list_donors(uow: UnitOfWork, association: Association, after_id: int, limit: int) -> list[DonorView]:
    rows = uow.session.execute(
        select(Donor).where(Donor.association_id == association.id, Donor.id > after_id).order_by(Donor.id).limit(limit)
    ).scalars()
    return [donor_view(d) for d in rows]


def list_beneficiaries(uow: UnitOfWork, association: Association, after_id: int, limit: int) -> list[BeneficiaryView]:
    rows = uow.session.execute(
        select(Beneficiary)
        .where(Beneficiary.association_id == association.id, Beneficiary.id > after_id)
        .order_by(Beneficiary.id)
        .limit(limit)
    ).scalars()
    return [beneficiary_view(b) for b in rows]
