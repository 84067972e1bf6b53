"""The consolidated statement of a three-level subtree: the sum of its members, with what one member
gave another eliminated, for an auditor of the top; nobody below reads above."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from ledger.persistence.models import Association, Beneficiary, Donor
from tests.factories import Books, auth, donate, make_association, make_beneficiary, make_donor, make_user, spend, work


def books_of(app: Flask, code: str) -> Books:
    treasurer_id, token = make_user(app, code, "treasurer")
    return Books(code, token, treasurer_id, make_donor(app, code))


def link(app: Flask, model: type, row_id: int, member: str) -> None:
    with work(app) as uow:
        member_id = uow.session.execute(select(Association.id).where(Association.code == member)).scalar_one()
        uow.session.execute(update(model).where(model.id == row_id).values(member_association_id=member_id))
        uow.commit()


def test_a_three_level_consolidation_is_the_sum_of_its_members_less_what_they_gave_each_other(
    app: Flask, client: FlaskClient
) -> None:
    province = make_association(app, level="province")
    city = make_association(app, parent=province)
    ward = make_association(app, parent=city, level="commune")
    p, c, w = (books_of(app, code) for code in (province, city, ward))
    assert donate(client, p, 50_000_000, method="bank", on="2026-10-01").status_code == 201
    assert donate(client, c, 8_000_000, on="2026-10-02").status_code == 201
    assert donate(client, w, 3_000_000, on="2026-10-03").status_code == 201
    # The province funds the city: a spend to a recipient that is the city, a gift from a donor that is the province.
    city_as_recipient = make_beneficiary(app, province, name=f"Hội Khuyến học {city}", is_minor=False)
    link(app, Beneficiary, city_as_recipient, city)
    paid = spend(
        client, p, 10_000_000, paid_from="bank", kind="support", beneficiary_id=city_as_recipient, on="2026-10-05"
    )
    assert paid.status_code == 201, paid.get_json()
    province_as_donor = make_donor(app, city, name=f"Hội Khuyến học {province}", kind="organisation")
    link(app, Donor, province_as_donor, province)
    received = donate(client, c, 10_000_000, method="bank", on="2026-10-06", donor_id=province_as_donor)
    assert received.status_code == 201
    assert spend(client, w, 1_000_000, on="2026-10-07").status_code == 201

    _, auditor = make_user(app, province, "auditor")
    url = f"/api/v1/associations/{province}/reports/consolidated"
    body = client.get(url, query_string={"from": "2026-01-01", "to": "2026-11-30"}, headers=auth(auditor)).json
    rows = {row["account"]: row for row in body["rows"]}
    assert [m["association"] for m in body["members"]] == [province, city, ward]
    assert (rows["511"][province], rows["511"][city], rows["511"][ward]) == (50_000_000, 18_000_000, 3_000_000)
    assert rows["511"]["eliminations"] == -10_000_000 and rows["511"]["total"] == 61_000_000
    assert rows["615"]["eliminations"] == -10_000_000 and rows["615"]["total"] == 0
    assert rows["642"]["total"] == 1_000_000 and rows["642"]["eliminations"] == 0
    # Balances are not eliminated: the money is in the city's bank now.
    assert rows["112"]["total"] == rows["112"][province] + rows["112"][city] == 50_000_000
    assert body["total"]["511"] == 61_000_000
    for row in body["rows"]:
        assert row["total"] == row[province] + row[city] + row[ward] + row["eliminations"]
    for fmt in ("csv", "xlsx", "pdf"):
        assert client.get(url, query_string={"format": fmt}, headers=auth(auditor)).status_code == 200
    _, city_auditor = make_user(app, city, "auditor")
    assert client.get(url, headers=auth(city_auditor)).status_code == 404
    from_city = client.get(f"/api/v1/associations/{city}/reports/consolidated", headers=auth(city_auditor)).json
    assert [m["association"] for m in from_city["members"]] == [city, ward]
