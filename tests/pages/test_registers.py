"""The pages of the registers and of corrections: search without accents, add and edit, reverse, e-mail."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from ledger.domain.names import folded
from ledger.persistence.models import Beneficiary, Donor, OutboxMessage
from tests.factories import auth, donate, make_beneficiary, make_donor, make_user, set_up_books, work
from tests.pages.test_sessions import csrf_token, email_of, log_in


def test_a_name_typed_without_accents_finds_the_person() -> None:
    assert folded("Nguyễn Văn An") == folded("nguyen van an") == "nguyen van an"
    assert folded("Đặng Thị Ánh") == "dang thi anh"


def test_a_treasurer_finds_donors_and_beneficiaries_without_typing_accents(app: Flask) -> None:
    books = set_up_books(app)
    make_donor(app, books.code, "Nguyễn Văn An", tax_code="3200999888")
    make_donor(app, books.code, "Trần Văn Phúc")
    make_beneficiary(app, books.code, "Đặng Thị Ánh", school="THCS Lê Lợi", grade="8B")
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    found = client.get(f"/a/{books.code}/donors?q=nguyen van an").get_data(as_text=True)
    assert "Nguyễn Văn An" in found and "Trần Văn Phúc" not in found
    assert "Nguyễn Văn An" in client.get(f"/a/{books.code}/donors?q=3200999").get_data(as_text=True)
    pupils = client.get(f"/a/{books.code}/beneficiaries?q=dang anh le loi").get_data(as_text=True)
    assert "Đặng Thị Ánh" in pupils and "hộ nghèo" in pupils


def test_a_treasurer_adds_a_donor_then_corrects_their_address(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/donors/new?then=donation").get_data(as_text=True)
    added = client.post(
        f"/a/{books.code}/donors/new?then=donation",
        data={"name": " Lê Thị Hoa ", "kind": "person", "email": "Hoa@Example.vn", "csrf_token": csrf_token(page)},
    )
    assert added.status_code == 302 and "/donations/new?donor=" in added.headers["Location"]
    with work(app) as uow:
        donor = uow.session.execute(select(Donor).where(Donor.name == "Lê Thị Hoa")).scalar_one()
        assert (donor.email, donor.address) == ("hoa@example.vn", "")
        donor_id = donor.id
    form = client.get(f"/a/{books.code}/donors/{donor_id}/edit").get_data(as_text=True)
    assert 'value="Lê Thị Hoa"' in form
    edited = client.post(
        f"/a/{books.code}/donors/{donor_id}/edit",
        data={"name": "Lê Thị Hoa", "kind": "person", "address": "Phường 5, Đông Hà", "csrf_token": csrf_token(form)},
    )
    assert edited.status_code == 302
    with work(app) as uow:
        assert uow.session.get(Donor, donor_id).address == "Phường 5, Đông Hà"  # type: ignore[union-attr]
    empty = client.post(
        f"/a/{books.code}/donors/{donor_id}/edit", data={"name": "", "kind": "person", "csrf_token": csrf_token(form)}
    )
    assert empty.status_code == 422 and 'id="name-error"' in empty.get_data(as_text=True)


def test_a_treasurers_reversal_of_a_donation_waits_for_the_chair_who_approves_it_and_voids_the_receipt(
    app: Flask,
) -> None:
    books = set_up_books(app)
    chair_id, _ = make_user(app, books.code, "approver")
    client = app.test_client()
    body = donate(client, books, 700_000).get_json()
    seq, number = body["entry"]["seq"], body["receipt"]["number"]
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/entries/{seq}/reverse").get_data(as_text=True)
    no_reason = client.post(f"/a/{books.code}/entries/{seq}/reverse", data={"csrf_token": csrf_token(page)})
    assert 'id="reason-error"' in no_reason.get_data(as_text=True)
    asked = client.post(
        f"/a/{books.code}/entries/{seq}/reverse", data={"reason": "Ghi trùng", "csrf_token": csrf_token(page)}
    )
    assert asked.status_code == 302 and asked.headers["Location"].endswith(f"/a/{books.code}/approvals")
    receipt_url = f"/api/v1/associations/{books.code}/receipts/{number}"
    # One person alone voids nothing: the receipt stays valid while the request waits.
    assert client.get(receipt_url, headers=auth(books.treasurer)).get_json()["status"] == "valid"
    own = client.get(f"/a/{books.code}/approvals").get_data(as_text=True)
    assert f"Đảo bút toán số {seq}, hủy chứng từ {number}" in own and "Ghi trùng" in own
    assert 'data-own="1"' in own and "/approvals/req-" not in own

    chair = app.test_client()
    log_in(chair, email_of(app, chair_id))
    queue = chair.get(f"/a/{books.code}/approvals").get_data(as_text=True)
    action = queue.split(f'action="/a/{books.code}/approvals/req-', 1)[1].split('"', 1)[0]
    request_id = int(action)
    decided = chair.post(
        f"/a/{books.code}/approvals/req-{request_id}",
        data={f"r{request_id}-approve": "Duyệt", f"r{request_id}-csrf_token": csrf_token(queue)},
    )
    assert decided.status_code == 302
    assert client.get(receipt_url, headers=auth(books.treasurer)).get_json()["status"] == "void"
    entry = client.get(f"/api/v1/associations/{books.code}/entries/{seq}", headers=auth(books.treasurer)).get_json()
    assert entry["reversed_by"] is not None
    assert "Ghi trùng" in client.get(f"/a/{books.code}/receipts/{number}").get_data(as_text=True)


def test_the_receipt_page_queues_the_receipt_for_the_donors_email(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    donor = make_donor(app, books.code, "Phạm Minh Tâm", email="tam@example.vn")
    number = donate(client, books, 300_000, donor_id=donor).get_json()["receipt"]["number"]
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/receipts/{number}").get_data(as_text=True)
    assert "300.000 ₫" in page

    def queued() -> int:
        with work(app) as uow:
            return int(
                uow.session.execute(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == "tam@example.vn")
                ).scalar_one()
            )

    before = queued()
    sent = client.post(f"/a/{books.code}/receipts/{number}/email", data={"csrf_token": csrf_token(page)})
    assert sent.status_code == 302
    assert queued() == before + 1
    assert "tam@example.vn" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_minors_guardian_is_recorded_from_the_beneficiary_page(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/beneficiaries/new").get_data(as_text=True)
    added = client.post(
        f"/a/{books.code}/beneficiaries/new",
        data={
            "name": "Hồ Văn Tí",
            "kind": "student",
            "category": "orphan",
            "school": "TH Kim Đồng",
            "grade": "3A",
            "is_minor": "y",
            "guardian_name": "Hồ Thị Lan",
            "guardian_relation": "bà nội",
            "csrf_token": csrf_token(page),
        },
    )
    assert added.status_code == 302
    with work(app) as uow:
        pupil = uow.session.execute(select(Beneficiary).where(Beneficiary.name == "Hồ Văn Tí")).scalar_one()
        assert (pupil.guardian_name, pupil.guardian_relation, pupil.is_minor) == ("Hồ Thị Lan", "bà nội", True)
        pupil_id = pupil.id
    edit = client.get(f"/a/{books.code}/beneficiaries/{pupil_id}/edit").get_data(as_text=True)
    assert 'value="Hồ Thị Lan"' in edit
