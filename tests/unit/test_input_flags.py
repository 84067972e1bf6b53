"""Every boolean a request body takes is a JSON boolean (``Flag``): Schemathesis once found ``0`` taken for false."""

from __future__ import annotations

import importlib
import pkgutil

from marshmallow import Schema, fields

import ledger.web.api
from ledger.web.api.schemas import Flag


def _schemas() -> list[type[Schema]]:
    found: dict[str, type[Schema]] = {}
    for module in pkgutil.iter_modules(ledger.web.api.__path__):
        loaded = importlib.import_module(f"ledger.web.api.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == loaded.__name__:
                found[f"{value.__module__}.{value.__name__}"] = value
    return list(found.values())


def test_every_boolean_of_a_request_schema_is_a_flag() -> None:
    loose = [
        f"{schema.__module__}.{schema.__name__}.{name}"
        for schema in _schemas()
        if not schema.__name__.endswith(("Out", "Page"))
        for name, field in schema._declared_fields.items()
        if isinstance(field, fields.Boolean) and not isinstance(field, Flag) and not field.dump_only
    ]
    assert loose == []
