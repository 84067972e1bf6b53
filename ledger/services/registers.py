"""The donor and beneficiary registers as the pages use them: search without accents, add, correct."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from ledger.domain.errors import ValidationFailed
from ledger.domain.events import BeneficiaryEdited, DonorEdited
from ledger.domain.names import folded
from ledger.domain.policy import BENEFICIARY_CATEGORIES
from ledger.persistence.models import Beneficiary, Donor
from ledger.services import parties
from ledger.services.access import Actor
from ledger.services.journal import Books
from ledger.services.parties import (
    BENEFICIARY_KINDS,
    DONOR_KINDS,
    BeneficiaryCommand,
    BeneficiaryView,
    DonorCommand,
    DonorView,
    beneficiary_view,
    donor_view,
)
from ledger.services.unit_of_work import UnitOfWork

#: How many people a search lists at most.
SEARCH_MAX = 100
NAME_MAX_CHARS = 200


def search_donors(uow: UnitOfWork, books: Books, query: str) -> list[DonorView]:
    """Donors whose name (or tax code, e-mail, phone) contains every word of ``query``, accents ignored."""
    words = folded(query).split()
    found: list[DonorView] = []
    for donor in uow.session.execute(
        select(Donor).where(Donor.association_id == books.association.id).order_by(Donor.name, Donor.id)
    ).scalars():
        haystack = folded(" ".join(filter(None, (donor.name, donor.tax_code, donor.email, donor.phone))))
        if all(w in haystack for w in words):
            found.append(donor_view(donor))
            if len(found) >= SEARCH_MAX:
                break
    return found


def search_beneficiaries(uow: UnitOfWork, books: Books, query: str) -> list[BeneficiaryView]:
    """Beneficiaries whose name, school or grade contains every word of ``query``, accents ignored."""
    words = folded(query).split()
    found: list[BeneficiaryView] = []
    for person in uow.session.execute(
        select(Beneficiary)
        .where(Beneficiary.association_id == books.association.id)
        .order_by(Beneficiary.name, Beneficiary.id)
    ).scalars():
        if all(w in folded(f"{person.name} {person.school} {person.grade}") for w in words):
            found.append(beneficiary_view(person))
            if len(found) >= SEARCH_MAX:
                break
    return found


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > NAME_MAX_CHARS:
        raise ValidationFailed(
            f"Cần ghi tên (tối đa {NAME_MAX_CHARS} ký tự).",
            f"A name is needed (at most {NAME_MAX_CHARS} characters).",
            errors={"name": ["required"]},
        )


def add_donor(uow: UnitOfWork, actor: Actor, books: Books, cmd: DonorCommand) -> DonorView:
    _check_name(cmd.name)
    return parties.create_donor(uow, actor, books.association, replace(cmd, name=cmd.name.strip()))


def add_beneficiary(uow: UnitOfWork, actor: Actor, books: Books, cmd: BeneficiaryCommand) -> BeneficiaryView:
    _check_name(cmd.name)
    return parties.create_beneficiary(uow, actor, books.association, replace(cmd, name=cmd.name.strip()))


def _changed(before: object, after: object) -> list[str]:
    return sorted(k for k, v in after.__dict__.items() if before.__dict__[k] != v)


def edit_donor(uow: UnitOfWork, actor: Actor, books: Books, donor_id: int, cmd: DonorCommand) -> DonorView:
    """Correct a donor's details; receipts already issued keep what they printed."""
    _check_name(cmd.name)
    if cmd.kind not in DONOR_KINDS:
        raise ValidationFailed("Loại nhà tài trợ không hợp lệ.", "Unknown donor kind.", errors={"kind": ["invalid"]})
    row = parties.find_donor(uow, books.association, donor_id)
    before = donor_view(row)
    for key, value in replace(cmd, name=cmd.name.strip()).__dict__.items():
        setattr(row, key, value)
    uow.session.flush()
    after = donor_view(row)
    changed = _changed(before, after)
    uow.emit(DonorEdited(by=actor, association_id=books.association.id, donor_id=row.id, changed=changed))
    return after


def edit_beneficiary(
    uow: UnitOfWork, actor: Actor, books: Books, beneficiary_id: int, cmd: BeneficiaryCommand
) -> BeneficiaryView:
    """Correct a beneficiary's details (a new category counts for spends from now on)."""
    _check_name(cmd.name)
    errors: dict[str, list[str]] = {}
    if cmd.kind not in BENEFICIARY_KINDS:
        errors["kind"] = ["invalid"]
    if cmd.category not in BENEFICIARY_CATEGORIES:
        errors["category"] = ["invalid"]
    if errors:
        raise ValidationFailed(
            "Thông tin người thụ hưởng không hợp lệ.", "The beneficiary has wrong fields.", errors=errors
        )
    row = parties.find_beneficiary(uow, books.association, beneficiary_id)
    before = beneficiary_view(row)
    for key, value in replace(cmd, name=cmd.name.strip()).__dict__.items():
        setattr(row, key, value)
    uow.session.flush()
    after = beneficiary_view(row)
    uow.emit(
        BeneficiaryEdited(
            by=actor, association_id=books.association.id, beneficiary_id=row.id, changed=_changed(before, after)
        )
    )
    return after
