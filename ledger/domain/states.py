"""Explicit state machines for documents: an illegal step raises instead of slipping through."""

from __future__ import annotations

from ledger.domain.errors import InvalidTransition

#: A receipt is valid until the donation is reversed; a void receipt never comes back.
RECEIPT_STEPS: dict[str, frozenset[str]] = {
    "valid": frozenset({"void"}),
    "void": frozenset(),
}

#: A disbursement above its fund's threshold waits for an approver, who posts or rejects it;
#: a posted one can be reversed (voided) by a reversal entry.
DISBURSEMENT_STEPS: dict[str, frozenset[str]] = {
    "pending": frozenset({"posted", "rejected"}),
    "posted": frozenset({"void"}),
    "rejected": frozenset(),
    "void": frozenset(),
}


def step(machine: dict[str, frozenset[str]], what: str, current: str, target: str) -> str:
    """``target`` if the machine allows ``current → target``, else ``InvalidTransition``."""
    if target not in machine.get(current, frozenset()):
        raise InvalidTransition(what, current, target)
    return target
