"""``flask disbursements import-csv``: a ceremony's spreadsheet, with Vietnamese names and Excel's BOM,
recorded by the batch service all or nothing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from ledger.persistence.models import Association, Beneficiary, Disbursement, User
from tests.factories import make_beneficiary, make_fund, row_counts, work
from tests.spending_support import Office, balances, give, open_office

HEADER = "fund,kind,beneficiary_name,category,school,grade,amount,paid_from,paid_on,memo"


def _email(app: Flask, user_id: int) -> str:
    with work(app) as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        return user.email


def _import(runner: FlaskCliRunner, app: Flask, office: Office, path: Path) -> tuple[int, str]:
    result = runner.invoke(
        args=[
            "disbursements",
            "import-csv",
            "--association",
            office.code,
            "--file",
            str(path),
            "--as-email",
            _email(app, office.treasurer_id),
            "--memo",
            "Lễ trao học bổng Hoa Phượng Đỏ",
        ]
    )
    return result.exit_code, result.output


def _beneficiaries(app: Flask, code: str) -> dict[str, tuple[int, str, str, bool]]:
    with work(app) as uow:
        rows = uow.session.execute(
            select(Beneficiary.name, Beneficiary.id, Beneficiary.category, Beneficiary.kind, Beneficiary.is_minor)
            .join(Association, Association.id == Beneficiary.association_id)
            .where(Association.code == code)
        ).all()
        return {name: (ben_id, category, kind, minor) for name, ben_id, category, kind, minor in rows}


def test_a_csv_with_a_bom_and_vietnamese_names_is_recorded_as_one_batch(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, office.code, "TU-SACH", preset="bookcases")
    give(client, office, 20_000_000, fund="HPD")
    give(client, office, 20_000_000, fund="TU-SACH")
    known = make_beneficiary(
        app, office.code, name="Hồ Thị Ngọc Ánh", category="orphan", school="Trường THCS Nguyễn Trãi", grade="8A"
    )
    # The same name typed decomposed (NFD), as some keyboards and Excel files do, with extra spaces.
    typed = unicodedata.normalize("NFD", "hồ  thị ngọc ánh")
    lines = [
        HEADER,
        "HPD,scholarship,Nguyễn Thị Ánh Tuyết,poor_household,Trường THCS Nguyễn Trãi,8A,1.500.000,bank,05/09/2026,",
        f"HPD,scholarship,{typed},orphan,Trường THCS Nguyễn Trãi,8A,1500000,bank,2026-09-05,Học bổng",
        'HPD,scholarship,Lê Văn Đức,ethnic_minority,Trường THPT Lê Lợi,11,"1,000,000",bank,2026-09-05,',
        "HPD,scholarship,Nguyễn Thị Ánh Tuyết,poor_household,Trường THCS Nguyễn Trãi,8A,1000000,bank,2026-09-06,",
        "TU-SACH,bookcase,Trường Tiểu học Kim Đồng,school,,,12000000,bank,2026-04-21,Tủ sách và 300 đầu sách",
    ]
    path = tmp_path / "hoa-phuong-do.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    code, output = _import(runner, app, office, path)
    assert code == 0, output
    assert "5 disbursements" in output and "17.000.000 ₫" in output and "beneficiaries registered: 3" in output
    registered = _beneficiaries(app, office.code)
    assert registered["Nguyễn Thị Ánh Tuyết"][1:] == ("poor_household", "student", True)
    assert registered["Lê Văn Đức"][1:] == ("ethnic_minority", "student", True)
    assert registered["Trường Tiểu học Kim Đồng"][1:] == ("school", "school", False)
    assert len(registered) == 4
    with work(app) as uow:
        paid = uow.session.execute(
            select(Disbursement.beneficiary_id, Disbursement.amount_vnd, Disbursement.status, Disbursement.batch_id)
            .join(Association, Association.id == Disbursement.association_id)
            .where(Association.code == office.code)
            .order_by(Disbursement.id)
        ).all()
    tuyet = registered["Nguyễn Thị Ánh Tuyết"][0]
    assert [(b, a, s) for b, a, s, _ in paid] == [
        (tuyet, 1_500_000, "posted"),
        (known, 1_500_000, "posted"),
        (registered["Lê Văn Đức"][0], 1_000_000, "posted"),
        (tuyet, 1_000_000, "posted"),
        (registered["Trường Tiểu học Kim Đồng"][0], 12_000_000, "posted"),
    ]
    assert len({batch for *_, batch in paid}) == 1
    assert balances(client, office)["HPD"][0] == 20_000_000 - 5_000_000


def test_a_refused_line_is_named_with_its_rule_and_nothing_is_recorded(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 20_000_000, fund="HPD")
    lines = [
        HEADER,
        "HPD,scholarship,Phạm Thị Hương,near_poor,Trường THCS Trần Hưng Đạo,7,2000000,bank,2026-09-05,",
        "HPD,scholarship,Võ Minh Quân,orphan,Trường THCS Trần Hưng Đạo,7,2000000,bank,2026-09-05,",
        "HPD,scholarship,Phạm Thị Hương,near_poor,Trường THCS Trần Hưng Đạo,7,1500000,bank,2026-09-06,",
    ]
    path = tmp_path / "sai.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = row_counts(app)
    code, output = _import(runner, app, office, path)
    assert code == 1, output
    assert "line 4 refused (purpose_violation, rule max_per_beneficiary_per_year)" in output
    assert "nothing was recorded" in output
    # Not even the beneficiaries named in the file were registered.
    assert row_counts(app) == before


def test_an_unreadable_line_stops_the_import_before_anything_is_recorded(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    cases = {
        "amount.csv": (
            [HEADER, 'HPD,scholarship,Đỗ Thu Trang,orphan,,,"1,5",bank,2026-09-05,'],
            "line 2: amount",
        ),
        "date.csv": ([HEADER, "HPD,scholarship,Đỗ Thu Trang,orphan,,,1000,bank,31/02/2026,"], "line 2: paid_on"),
        "category.csv": ([HEADER, "HPD,scholarship,Đỗ Thu Trang,rich,,,1000,bank,2026-09-05,"], "line 2: category"),
        "header.csv": (["fund,kind,amout,paid_from,paid_on", "HPD,scholarship,1000,bank,2026-09-05"], "unknown amout"),
    }
    before = row_counts(app)
    for name, (lines, message) in cases.items():
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, output = _import(runner, app, office, path)
        assert code == 2, (name, output)
        assert message in output, (name, output)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "\nHPD,scholarship,Hà,orphan,,,1000,bank,2026-09-05,\n").encode("latin-1"))
    code, output = _import(runner, app, office, latin1)
    assert code == 2 and "not UTF-8" in output
    assert row_counts(app) == before
