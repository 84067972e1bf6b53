"""Goods in kind are valued at the average cost of what the fund holds of that item."""

from __future__ import annotations


def average_cost_value(held_quantity: int, held_value_vnd: int, quantity: int) -> int:
    """The value of ``quantity`` units taken from a holding, at its average cost, in VND.

    Integer arithmetic only; taking the last units takes exactly the value that is left, so
    rounding never strands a đồng on an empty shelf.
    """
    if not 0 < quantity <= held_quantity:
        raise ValueError("quantity must be positive and no more than what is held")
    if quantity == held_quantity:
        return held_value_vnd
    return held_value_vnd * quantity // held_quantity
