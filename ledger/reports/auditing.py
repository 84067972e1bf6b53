"""For the inspection committee: the audit log as a file, and a verification report of the books."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import select

from ledger.clock import VIETNAM
from ledger.persistence.models import Association, AuditEvent, User
from ledger.reports.model import Column, Report
from ledger.reports.snapshots import Head
from ledger.reports.statements import Period, header
from ledger.services import verification
from ledger.services.unit_of_work import UnitOfWork

AUDIT_LOG_COLUMNS = (
    Column("id", "Số", "No.", "number", 8),
    Column("at", "Thời điểm (giờ Việt Nam)", "At (Vietnam time)", width=22),
    Column("user", "Người thực hiện", "User", width=28),
    Column("action", "Thao tác", "Action", width=22),
    Column("object_type", "Đối tượng", "Object", width=12),
    Column("object_id", "Mã", "Id", width=22),
    Column("detail", "Chi tiết", "Detail", width=40, pdf=False),
)


def audit_log(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Every write and download of the period (Vietnam dates), oldest first."""
    stmt = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.association_id == association.id)
        .order_by(AuditEvent.id)
    )
    if period.start is not None:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(period.start, time.min, VIETNAM))
    stmt = stmt.where(AuditEvent.at <= datetime.combine(period.end, time.max, VIETNAM))
    rows = [
        {
            "id": event.id,
            "at": f"{event.at.astimezone(VIETNAM):%d/%m/%Y %H:%M:%S}",
            "user": email or str(event.detail.get("actor", "")),
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "detail": _detail(event.detail),
        }
        for event, email in uow.session.execute(stmt)
    ]
    return header(
        uow,
        association,
        period,
        name="audit-log",
        title_vi="NHẬT KÝ THAO TÁC",
        title_en="Audit log",
        columns=AUDIT_LOG_COLUMNS,
        rows=rows,
        totals={},
        generated_at=generated_at,
        extra={"events": len(rows)},
    )


def _detail(detail: dict[str, Any]) -> str:
    return "; ".join(f"{key}={value}" for key, value in sorted(detail.items()) if key != "actor")


VERIFICATION_COLUMNS = (
    Column("check", "Kiểm tra", "Check", width=30),
    Column("result", "Kết quả", "Result", width=12),
    Column("detail", "Chi tiết", "Detail", width=60),
)


def verification_report(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """The chain recomputed (head digest, first break), the balances recomputed from the lines,
    and the documents checked against the journal: what ``ledger verify`` says, as a statement."""
    books = verification.verify_books(uow, association)
    chain, mismatches, problems = books.chain, books.balance_mismatches, books.document_problems
    last = books.last_checkpoint
    rows: list[dict[str, Any]] = [
        {
            "check": "Chuỗi băm / hash chain",
            "result": "ĐẠT / OK" if chain.ok else "LỖI / BROKEN",
            "detail": (
                f"{chain.entries} bút toán; đầu chuỗi {chain.head_seq} {chain.head_hash}"
                if chain.ok
                else f"Hỏng từ bút toán {chain.first_bad_seq}: {chain.reason}"
            ),
        },
        {
            "check": "Điểm neo đã ký / signed checkpoints",
            "result": "ĐẠT / OK" if not books.anchor_problems else "LỖI / BROKEN",
            "detail": "; ".join(books.anchor_problems)
            or (
                f"{books.checkpoints} điểm neo; mới nhất ở bút toán {last.seq} (khóa {last.key_id})"
                if last is not None
                else "Chưa có điểm neo nào"
            ),
        },
        {
            "check": "Số dư / balances",
            "result": "ĐẠT / OK" if not mismatches else "LỖI / MISMATCH",
            "detail": "; ".join(
                f"{m.account}/{m.fund}{'/' + m.item if m.item else ''}: {m.materialised_vnd} ≠ {m.recomputed_vnd}"
                for m in mismatches
            )
            or "Số dư lưu sẵn khớp với các dòng bút toán",
        },
        {
            "check": "Chứng từ / documents",
            "result": "ĐẠT / OK" if not problems else "LỖI / MISMATCH",
            "detail": "; ".join(problems) or "Biên nhận và phiếu chi khớp với sổ",
        },
    ]
    ok = books.ok
    return header(
        uow,
        association,
        period,
        name="verification",
        title_vi="BÁO CÁO KIỂM TRA TÍNH TOÀN VẸN SỔ",
        title_en="Verification report",
        columns=VERIFICATION_COLUMNS,
        rows=rows,
        totals={},
        generated_at=generated_at,
        head=Head(chain.head_seq, chain.head_hash),
        extra={
            "ok": ok,
            "entries": chain.entries,
            "first_bad_seq": books.first_bad_seq,
            "reason": chain.reason,
        },
    )
