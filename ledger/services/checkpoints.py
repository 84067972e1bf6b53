"""Signed checkpoints: an association's chain head signed (Ed25519) with a key kept outside the database.

Whoever owns the database can change an entry and recompute every hash after it and the
recorded head; the chain then verifies on its own. A checkpoint cannot be redone that way:
its signature needs the private key, which lives in a file under ``instance/`` (or
``CHECKPOINT_KEY_FILE``), never in the database. ``ledger verify`` checks every checkpoint's
signature against the keys this service trusts and that the chain still passes through it.

Rotation: ``flask ledger checkpoint-key --rotate`` appends the current public key to the
trusted keys file (``CHECKPOINT_TRUSTED_KEYS``, default ``instance/checkpoint_keys.pub``) and
makes a new private key; checkpoints signed by the old key keep verifying.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import event, insert, select

from ledger.domain.chain import Checkpoint, checkpoint_message, utc_text
from ledger.domain.events import PeriodClosed
from ledger.persistence.models import Association, ChainCheckpoint, LedgerHead
from ledger.services.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

#: A head that moved is signed again once the newest checkpoint is this old.
CHECKPOINT_INTERVAL = timedelta(days=1)
REASONS = ("daily", "period_close", "manual")


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_hex(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


@dataclass
class CheckpointKeys:
    """The signing key (a PEM file, created 0600 on first use) and the public keys trusted to
    have signed older checkpoints (one hex public key per line; ``#`` starts a comment)."""

    private_path: Path
    trusted_path: Path
    _private: Ed25519PrivateKey | None = field(default=None, repr=False)

    def signing_key(self) -> Ed25519PrivateKey:
        if self._private is None:
            if not self.private_path.exists():
                self._create(self.private_path)
            key = serialization.load_pem_private_key(self.private_path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{self.private_path} is not an Ed25519 private key")
            self._private = key
        return self._private

    @staticmethod
    def _create(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            # O_EXCL: two workers creating the key at once keep the first one's.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as out:
            out.write(pem)

    def sign(self, message: bytes) -> tuple[str, str]:
        """``(key id, hex signature)`` of ``message`` with the current key."""
        key = self.signing_key()
        return key_id(key.public_key()), key.sign(message).hex()

    def trusted(self) -> dict[str, Ed25519PublicKey]:
        """Key id → public key: the current key's (when its file exists) and the retired ones."""
        keys: dict[str, Ed25519PublicKey] = {}
        if self.trusted_path.exists():
            for line in self.trusted_path.read_text().splitlines():
                text = line.split("#", 1)[0].strip()
                if text:
                    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
                    keys[key_id(public)] = public
        if self.private_path.exists():
            public = self.signing_key().public_key()
            keys[key_id(public)] = public
        return keys

    @property
    def log_path(self) -> Path:
        """Every checkpoint this host signed, one JSON line each, beside the key: outside the
        database, so that deleting checkpoint rows does not unanchor the chain here."""
        return self.private_path.with_name("checkpoints.jsonl")

    def log(self, association: str, point: Checkpoint, reason: str) -> None:
        """Append a signed checkpoint to :attr:`log_path` (one ``write`` of one line, appended).
        A log that cannot be written is reported and skipped: the row in the database remains."""
        line = json.dumps(
            {
                "association": association,
                "seq": point.seq,
                "hash": point.head_hash,
                "signed_at": utc_text(point.signed_at),
                "key_id": point.key_id,
                "signature": point.signature,
                "reason": reason,
            },
            ensure_ascii=False,
        )
        try:
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        except OSError:
            log.exception("could not append the checkpoint to %s", self.log_path)

    def logged(self, association: str) -> list[Checkpoint]:
        """The association's checkpoints in :attr:`log_path` (none when there is no log here)."""
        if not self.log_path.exists():
            return []
        points = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
                if item.get("association") == association:
                    points.append(
                        Checkpoint(
                            int(item["seq"]),
                            str(item["hash"]),
                            datetime.fromisoformat(item["signed_at"].replace("Z", "+00:00")),
                            str(item["key_id"]),
                            str(item["signature"]),
                        )
                    )
            except (ValueError, KeyError, TypeError, AttributeError):
                # A torn last line (a crash mid-write) is no checkpoint; the rows in the database still count.
                continue
        return points

    def rotate(self) -> tuple[str, str]:
        """Retire the current key (its public half joins the trusted file) and make a new one;
        returns the old and the new key id."""
        old = self.signing_key().public_key()
        self.trusted_path.parent.mkdir(parents=True, exist_ok=True)
        with self.trusted_path.open("a") as out:
            out.write(f"{public_hex(old)}  # {key_id(old)}, retired\n")
        retired = self.private_path.with_name(f"{self.private_path.name}.{key_id(old)}.retired")
        self.private_path.rename(retired)
        self._private = None
        return key_id(old), key_id(self.signing_key().public_key())


class SignatureCheck:
    """Checks checkpoint signatures against a fixed set of trusted keys (read once)."""

    def __init__(self, keys: CheckpointKeys | None) -> None:
        self._trusted = keys.trusted() if keys is not None else {}

    def __call__(self, point: Checkpoint, message: bytes) -> str | None:
        public = self._trusted.get(point.key_id)
        if public is None:
            return f"the checkpoint at entry {point.seq} is signed by key {point.key_id}, which this service does not trust"
        try:
            public.verify(bytes.fromhex(point.signature), message)
        except (InvalidSignature, ValueError):
            return f"the checkpoint at entry {point.seq} does not carry a valid signature"
        return None


def sign_head(uow: UnitOfWork, association: Association, reason: str, keys: CheckpointKeys) -> Checkpoint:
    """Sign the association's chain head as this unit of work leaves it (under its ledger lock)."""
    assert reason in REASONS
    state = uow.lock_ledger(association.id)
    signed_at = uow.clock()
    message = checkpoint_message(association.code, state.head_seq, state.head_hash, signed_at)
    kid, signature = keys.sign(message)
    uow.session.connection().execute(
        insert(ChainCheckpoint.table()),
        {
            "association_id": association.id,
            "seq": state.head_seq,
            "hash": state.head_hash,
            "signed_at": signed_at,
            "reason": reason,
            "key_id": kid,
            "signature": signature,
        },
    )
    point = Checkpoint(state.head_seq, state.head_hash, signed_at, kid, signature)
    # Logged once the transaction commits: the head may hold entries of this transaction (a
    # period close posts its closing entries first), and a rolled-back head was never there.
    event.listen(uow.session, "after_commit", lambda _: keys.log(association.code, point, reason), once=True)
    return point


def sign_at_period_close(uow: UnitOfWork, event: PeriodClosed) -> None:
    """A closed year's books as they stand, signed outside the database (DESIGN.md, tamper evidence)."""
    if uow.checkpoint_keys is None:
        return
    association = uow.session.get(Association, event.association_id)
    assert association is not None
    sign_head(uow, association, "period_close", uow.checkpoint_keys)


#: A stored checkpoint's columns, in ``Checkpoint``'s order.
_CHECKPOINT = select(
    ChainCheckpoint.seq,
    ChainCheckpoint.hash,
    ChainCheckpoint.signed_at,
    ChainCheckpoint.key_id,
    ChainCheckpoint.signature,
)


def checkpoints_of(uow: UnitOfWork, association_id: int) -> list[Checkpoint]:
    rows = uow.session.execute(
        _CHECKPOINT.where(ChainCheckpoint.association_id == association_id).order_by(
            ChainCheckpoint.seq, ChainCheckpoint.signed_at
        )
    )
    return [Checkpoint(*row) for row in rows]


def newest_checkpoint(uow: UnitOfWork, association_id: int) -> Checkpoint | None:
    """The checkpoint of the furthest head signed (the latest signature of it), if any."""
    row = uow.session.execute(
        _CHECKPOINT.where(ChainCheckpoint.association_id == association_id)
        .order_by(ChainCheckpoint.seq.desc(), ChainCheckpoint.signed_at.desc())
        .limit(1)
    ).one_or_none()
    return Checkpoint(*row) if row is not None else None


def sign_due(
    db: Database,
    keys: CheckpointKeys,
    clock: Callable[[], datetime],
    *,
    reason: str = "daily",
    only: str | None = None,
) -> list[str]:
    """Sign the head of every association whose head moved since its newest checkpoint and whose
    newest checkpoint is at least :data:`CHECKPOINT_INTERVAL` old (or that has none); each in a
    unit of work of its own under its ledger lock, so that two processes doing it at once sign
    once. Returns the codes signed. ``reason="manual"`` signs every moved head at once."""
    with UnitOfWork(db, write=False) as uow:
        stmt = select(Association.code).order_by(Association.code)
        if only is not None:
            stmt = stmt.where(Association.code == only)
        codes = list(uow.session.execute(stmt).scalars())
    due = [code for code in codes if _due(db, code, clock, reason)]
    signed = []
    for code in due:
        with UnitOfWork(db, clock=clock) as uow:
            association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
            uow.lock_ledger(association.id)
            # Again under the lock: another process may have signed it meanwhile.
            if not _due_in(uow, association.id, reason):
                continue
            sign_head(uow, association, reason, keys)
            uow.commit()
            signed.append(code)
    return signed


def _due(db: Database, code: str, clock: Callable[[], datetime], reason: str) -> bool:
    """Looked at without the ledger lock first, so that nothing waits for associations not due."""
    with UnitOfWork(db, write=False, clock=clock) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
        return _due_in(uow, association_id, reason)


def _due_in(uow: UnitOfWork, association_id: int, reason: str) -> bool:
    head = uow.session.execute(
        select(LedgerHead.head_seq, LedgerHead.head_hash).where(LedgerHead.association_id == association_id)
    ).first()
    if head is None or head[0] == 0:
        return False
    newest = uow.session.execute(
        select(ChainCheckpoint.seq, ChainCheckpoint.hash, ChainCheckpoint.signed_at)
        .where(ChainCheckpoint.association_id == association_id)
        .order_by(ChainCheckpoint.signed_at.desc(), ChainCheckpoint.id.desc())
        .limit(1)
    ).first()
    if newest is None:
        return True
    if (newest[0], newest[1]) == (head[0], head[1]):
        return False
    return reason != "daily" or newest[2] <= uow.clock() - CHECKPOINT_INTERVAL
