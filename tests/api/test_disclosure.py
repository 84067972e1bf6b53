"""The public disclosure list: children masked whatever the Unicode form, anonymous donors honoured,
nothing of a child but masked initials, public only once the association turns publication on."""

from __future__ import annotations

import unicodedata

from flask import Flask
from flask.testing import FlaskClient

from ledger.reports.disclosure import ANONYMOUS, mask_name
from tests.factories import auth, donate, make_beneficiary, make_donor, make_user, set_up_books, spend

CHILD_NFC = unicodedata.normalize("NFC", "Nguyễn Văn Ánh")
CHILD_NFD = unicodedata.normalize("NFD", "Đặng Thị Ngọc Ánh")


def test_a_name_is_masked_to_family_name_and_initials_in_either_unicode_form() -> None:
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name(CHILD_NFD) == mask_name(unicodedata.normalize("NFC", CHILD_NFD)) == "Đặng T. N. Á."
    assert mask_name("  Lê   Minh ") == "Lê M." and mask_name("") == ""


def test_the_disclosure_masks_children_honours_anonymous_donors_and_says_nothing_else(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    hidden = make_donor(app, books.code, name="Trần Văn Kín", anonymous=True)
    assert donate(client, books, 5_000_000, on="2026-11-02").status_code == 201
    assert donate(client, books, 3_000_000, on="2026-11-03", donor_id=hidden).status_code == 201
    school_grade, address = "Lớp 7A3", "Thôn Đông, xã Cam Hiếu"
    for name in (CHILD_NFC, CHILD_NFD):
        child = make_beneficiary(
            app, books.code, name=name, school="THCS Nguyễn Trãi", grade=school_grade, address=address
        )
        response = spend(
            client, books, 500_000, on="2026-11-04", kind="support", beneficiary_id=child, memo=f"Hỗ trợ em {name}"
        )
        assert response.status_code == 201, response.json
    _, auditor = make_user(app, books.code, "auditor")
    url = f"/api/v1/associations/{books.code}/reports/disclosure"
    for fmt in ("json", "csv", "xlsx", "pdf"):
        body = client.get(
            url, query_string={"format": fmt, "from": "2026-11-01", "to": "2026-11-30"}, headers=auth(auditor)
        )
        assert body.status_code == 200
        if fmt in ("json", "csv"):
            text = unicodedata.normalize("NFC", body.data.decode("utf-8"))
            for secret in (CHILD_NFC, unicodedata.normalize("NFC", CHILD_NFD), "Trần Văn Kín", school_grade, address):
                assert secret not in text, (fmt, secret)
            assert "Nguyễn V. Á." in text and "Đặng T. N. Á." in text and ANONYMOUS in text
    rows = client.get(url, query_string={"from": "2026-11-01"}, headers=auth(auditor)).json["rows"]
    assert sorted(r["name"] for r in rows if r["section"] == "Chi") == ["Nguyễn V. Á.", "Đặng T. N. Á."]


def test_the_public_list_needs_publication_turned_on_by_an_approver(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    assert donate(client, books, 2_000_000, on="2026-11-02").status_code == 201
    public = f"/disclosure/{books.code}"
    assert client.get(public).status_code == 404
    switch = f"/api/v1/associations/{books.code}/disclosure/publication"
    assert client.put(switch, json={"published": True}, headers=auth(books.treasurer)).status_code == 403
    _, approver = make_user(app, books.code, "approver")
    turned = client.put(switch, json={"published": True}, headers=auth(approver))
    assert turned.status_code == 200 and turned.json == {"association": books.code, "published": True}
    shown = client.get(public, query_string={"from": "2026-11-01"})
    assert shown.status_code == 200 and [r["amount"] for r in shown.json["rows"]] == [2_000_000]
    assert client.get("/disclosure/NO-SUCH").status_code == 404
