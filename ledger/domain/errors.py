"""The ledger's refusals: one small hierarchy with stable codes and sentences in Vietnamese and English.

Every refusal says which rule refused and why, in words a treasurer understands. The
mapping from a code to an HTTP status lives in one place at the edge (``ledger/web/errors.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from ledger.domain.money import format_vnd

LANGUAGES = ("vi", "en")


class LedgerError(Exception):
    """A refusal of the ledger. Nothing has been written when one is raised out of a service."""

    #: Machine-readable code of API.md; stable, integrations rely on it.
    code: ClassVar[str] = "ledger_error"
    #: Short English title for problem+json.
    title: ClassVar[str] = "The ledger refused the request"

    def __init__(
        self,
        vi: str,
        en: str,
        *,
        errors: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(en)
        self.message_vi = vi
        self.message_en = en
        #: Per-field or per-item details (``errors`` in problem+json).
        self.errors = errors
        #: Further machine-readable members of the problem (e.g. ``rule``, ``account``).
        self.extra = extra

    def detail(self, lang: str) -> str:
        """The sentence for the treasurer in ``lang`` (``vi`` unless ``en``)."""
        return self.message_en if lang == "en" else self.message_vi


class ValidationFailed(LedgerError):
    code = "validation_error"
    title = "The request is not valid"


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"
    title = "The entry does not balance"

    def __init__(self, fund: str, debit_vnd: int, credit_vnd: int, differences: dict[str, int] | None = None) -> None:
        super().__init__(
            f"Bút toán không cân đối trong quỹ {fund}: tổng Nợ {format_vnd(debit_vnd)} ≠ tổng Có {format_vnd(credit_vnd)}.",
            f"The entry does not balance in fund {fund}: debits {format_vnd(debit_vnd, 'en')} ≠ credits {format_vnd(credit_vnd, 'en')}.",
            fund=fund,
            debit=debit_vnd,
            credit=credit_vnd,
            #: Debits less credits of every fund that does not balance.
            differences=differences or {fund: debit_vnd - credit_vnd},
        )


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    title = "Not enough money or goods"

    def __init__(self, account: str, fund: str, available_vnd: int, requested_vnd: int, item: str = "") -> None:
        what_vi = f"tài khoản {account}" + (f" (hàng: {item})" if item else "")
        what_en = f"account {account}" + (f" (goods: {item})" if item else "")
        super().__init__(
            f"Không đủ số dư: quỹ {fund}, {what_vi} chỉ còn {format_vnd(available_vnd)} có thể chi "
            f"(đã trừ các khoản đang chờ duyệt), nhưng cần {format_vnd(requested_vnd)}.",
            f"Not enough balance: fund {fund}, {what_en} has only {format_vnd(available_vnd, 'en')} available "
            f"(pending approvals counted), but {format_vnd(requested_vnd, 'en')} is needed.",
            account=account,
            fund=fund,
            available=available_vnd,
            requested=requested_vnd,
        )


class InsufficientGoods(InsufficientFunds):
    """Goods are counted by quantity as well as by value."""

    def __init__(self, account: str, fund: str, item: str, held: int, requested: int) -> None:
        LedgerError.__init__(
            self,
            f"Không đủ hàng: quỹ {fund}, tài khoản {account} chỉ còn {held} «{item}», nhưng cần xuất {requested}.",
            f"Not enough goods: fund {fund}, account {account} holds only {held} of "
            f"'{item}', but {requested} are to be handed out.",
            account=account,
            fund=fund,
            item=item,
            held=held,
            requested=requested,
        )


class PurposeViolation(LedgerError):
    code = "purpose_violation"
    title = "The fund's policy forbids this spend"

    def __init__(self, rule: str, vi: str, en: str, **extra: Any) -> None:
        super().__init__(vi, en, rule=rule, **extra)
        self.rule = rule


class PeriodClosed(LedgerError):
    code = "period_closed"
    title = "The period is closed"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"Năm tài chính {year} đã khóa sổ: không thể ghi bút toán có ngày trong năm đó.",
            f"Fiscal year {year} is closed: no entry dated inside it can be posted.",
            year=year,
        )


class PeriodLocked(PeriodClosed):
    """A date on or before the association's lock date (DESIGN.md "Controls")."""

    def __init__(self, lock_on: date, day: date) -> None:
        LedgerError.__init__(
            self,
            f"Sổ đã khóa đến hết ngày {lock_on:%d/%m/%Y}: không thể ghi bút toán ngày {day:%d/%m/%Y}.",
            f"The books are locked through {lock_on.isoformat()}: nothing can be dated {day.isoformat()}.",
            rule="lock_date",
            lock_on=lock_on.isoformat(),
            date=day.isoformat(),
            year=day.year,
        )


class SelfApproval(LedgerError):
    code = "self_approval"
    title = "A maker cannot approve their own disbursement or request"

    def __init__(self, what_vi: str = "phiếu chi", what_en: str = "disbursement") -> None:
        super().__init__(
            f"Người lập {what_vi} không được tự duyệt {what_vi} của mình (nguyên tắc hai người).",
            f"The person who made a {what_en} cannot approve it (maker–checker rule: a second person decides).",
            rule="maker_checker",
        )


class NotFound(LedgerError):
    code = "not_found"
    title = "Not found"

    def __init__(self, what_vi: str = "đối tượng", what_en: str = "object") -> None:
        super().__init__(f"Không tìm thấy {what_vi}.", f"No such {what_en}.")


class Unauthorized(LedgerError):
    code = "unauthorized"
    title = "Authentication required"

    def __init__(self) -> None:
        super().__init__(
            "Cần đăng nhập: thiếu hoặc sai mã truy cập (token).",
            "Authentication required: the bearer token is missing or invalid.",
        )


class Forbidden(LedgerError):
    code = "forbidden"
    title = "Not allowed"

    def __init__(
        self,
        vi: str = "Bạn không có quyền thực hiện thao tác này.",
        en: str = "You are not allowed to do this.",
    ) -> None:
        super().__init__(vi, en)


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    title = "Idempotency key reused with another request"

    def __init__(self) -> None:
        super().__init__(
            "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.",
            "This Idempotency-Key was already used with a different request.",
        )


class ServiceUnavailable(LedgerError):
    """The database could not be reached for a moment: nothing was written, and the same request may be sent again."""

    code = "service_unavailable"
    title = "Service unavailable"
    #: Seconds a client should wait before it tries again (``Retry-After``).
    RETRY_AFTER_S: ClassVar[int] = 5

    def __init__(self) -> None:
        super().__init__(
            "Tạm thời không kết nối được cơ sở dữ liệu; chưa có gì được ghi. Xin gửi lại sau ít giây.",
            "The database cannot be reached for a moment; nothing was written. Please send the request again shortly.",
        )


class Conflict(LedgerError):
    code = "conflict"
    title = "Conflict with the current state"


class AlreadyReversed(Conflict):
    code = "already_reversed"
    title = "The entry was already reversed"

    def __init__(self, seq: int, by_seq: int | None) -> None:
        super().__init__(
            f"Bút toán số {seq} đã được đảo" + (f" bởi bút toán số {by_seq}." if by_seq else "."),
            f"Entry {seq} was already reversed" + (f" by entry {by_seq}." if by_seq else "."),
            seq=seq,
            reversed_by=by_seq,
        )


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "That step is not allowed from the current status"

    def __init__(self, what: str, from_status: str, to_status: str) -> None:
        super().__init__(
            f"Không thể chuyển {what} từ trạng thái «{from_status}» sang «{to_status}».",
            f"A {what} cannot go from '{from_status}' to '{to_status}'.",
            # Not ``status``: that member of problem+json is the HTTP status (RFC 9457).
            current_status=from_status,
            target_status=to_status,
        )


class IncompatibleRoles(Conflict):
    """Separation of duties (DESIGN.md "Controls"): one person, two roles that check each other."""

    code = "incompatible_roles"
    title = "One person may not hold both roles in one association"

    def __init__(self, email: str, association: str, role: str, held: str, role_vi: str, held_vi: str) -> None:
        super().__init__(
            f"Không thể giao vai trò {role_vi} cho {email} ở hội {association}: người này đã là {held_vi}. "
            "Một người không được vừa lập chứng từ vừa duyệt chi, và thủ quỹ không kiêm kế toán "
            "(Luật Kế toán 2015, điều 52).",
            f"{email} cannot be given the {role} role in {association}: they are already {held}. "
            "One person may not both make and approve entries, and the treasurer may not also be the "
            "accountant (Law on Accounting 2015, art. 52).",
            rule="separation_of_duties",
            role=role,
            held=held,
        )
