"""Awards payable: paying an award accrued to 338 (a disbursement ``paid_from: payable``)."""

from __future__ import annotations

from typing import Any

from ledger.services import payables
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import api_blueprint, run_write

blp = api_blueprint("payables", "Awards accrued to 338 and their payment")


@blp.route("/associations/<code>/payables/payments", methods=["POST"])
@blp.arguments(s.PaymentIn)
@blp.response(201, s.PaymentOut)
def pay_award(data: dict[str, Any], code: str) -> Any:
    """Pay (part of) an award accrued to 338 from cash or bank, with a voucher number.

    422 ``more_than_owed`` above what the fund owes that beneficiary.
    """
    cmd = payables.PaymentCommand(
        fund=data["fund"],
        beneficiary_id=data["beneficiary_id"],
        amount_vnd=data["amount"],
        paid_from=data["paid_from"],
        paid_on=data["paid_on"],
        memo=data.get("memo", ""),
    )

    def service(work: UnitOfWork, actor: Actor) -> payables.PaymentResult:
        return payables.pay(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    def render(result: payables.PaymentResult) -> dict[str, Any]:
        body: dict[str, Any] = s.PaymentOut().dump(
            {
                "entry": result.entry,
                "voucher": {"number": result.voucher_number, "pdf_url": None},
                "owed_after_vnd": result.owed_after_vnd,
            }
        )
        return body

    return run_write(service, render)
