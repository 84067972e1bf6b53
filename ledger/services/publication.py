"""What anyone may read of an association's books without an account: the head of its chain.

The head (the last entry's number and hash) is a digest of the whole journal: whoever keeps a
copy of it can later check that the books they are shown still end in an entry with that
number and hash (``ledger verify`` recomputes the chain), so history before it was not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ledger.domain.chain import Checkpoint
from ledger.domain.errors import NotFound
from ledger.persistence.models import Association, JournalEntry, LedgerHead
from ledger.services.checkpoints import newest_checkpoint
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ChainHead:
    code: str
    association: str
    head_seq: int
    head_hash: str
    #: When the head entry was written (``None`` before the first entry).
    head_at: datetime | None
    #: The newest signed checkpoint (``services/checkpoints.py``), if any: a head signed with a
    #: key kept outside the database, which its owner cannot re-sign after rewriting history.
    checkpoint: Checkpoint | None = None


def chain_head(uow: UnitOfWork, code: str) -> ChainHead:
    """The current head of association ``code``'s chain; an unknown code is ``NotFound``."""
    row = uow.session.execute(
        select(
            Association.code,
            Association.name,
            LedgerHead.head_seq,
            LedgerHead.head_hash,
            JournalEntry.created_at,
            Association.id,
        )
        .join(LedgerHead, LedgerHead.association_id == Association.id)
        .outerjoin(
            JournalEntry,
            (JournalEntry.association_id == Association.id) & (JournalEntry.seq == LedgerHead.head_seq),
        )
        .where(Association.code == code)
    ).one_or_none()
    if row is None:
        raise NotFound("hội", "association")
    code_, name, head_seq, head_hash, head_at, association_id = row
    return ChainHead(code_, name, head_seq, head_hash, head_at, newest_checkpoint(uow, association_id))
