"""Events: pure data that the audit log reads as action, object and detail."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.domain import events
from ledger.domain.events import Audited, DisbursementBatchRecorded, DonationRecorded, audit_detail, audit_object_id
from ledger.services.access import Actor

TREASURER = Actor(user_id=7, email="thu-quy@example.vn")


def _audited_kinds() -> list[type[Audited]]:
    kinds = [k for k in vars(events).values() if isinstance(k, type) and issubclass(k, Audited)]
    return [k for k in kinds if k is not Audited and not k.__name__.startswith("_")]


def test_an_audited_event_names_its_object_by_a_field_and_keeps_the_others_as_detail_in_order() -> None:
    event = DonationRecorded(
        by=TREASURER,
        association_id=3,
        receipt_number="BN-2026-000001",
        entry_seq=12,
        amount_vnd=500_000,
        fund="GENERAL",
        method="cash",
    )
    assert (event.action, event.object_type, audit_object_id(event)) == ("donation.record", "receipt", "BN-2026-000001")
    detail = audit_detail(event)
    assert list(detail) == ["entry_seq", "amount_vnd", "fund", "method"]
    assert detail == {"entry_seq": 12, "amount_vnd": 500_000, "fund": "GENERAL", "method": "cash"}


def test_a_number_that_names_the_object_is_written_as_text() -> None:
    event = DisbursementBatchRecorded(
        by=TREASURER,
        association_id=3,
        batch_id=42,
        count=2,
        total_vnd=9,
        posted=1,
        pending_ids=[5],
        first_id=4,
        last_id=5,
    )
    assert audit_object_id(event) == "42"
    assert "batch_id" not in audit_detail(event)


@pytest.mark.parametrize("kind", _audited_kinds(), ids=lambda k: k.__name__)
def test_every_audited_event_has_an_action_an_object_type_and_an_object_field_it_declares(
    kind: type[Audited],
) -> None:
    names = {f.name for f in dataclasses.fields(kind)}
    assert kind.action and kind.object_type
    assert kind.object_field in names
    assert {"by", "association_id"} <= names


def test_the_actions_of_the_audit_log_are_each_said_by_one_event() -> None:
    actions = [k.action for k in _audited_kinds()]
    assert len(actions) == len(set(actions)) >= 25
