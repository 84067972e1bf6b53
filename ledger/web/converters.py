"""URL converters: path ids that fit the database's integers, and path text the database can store.

A number no row can have names no row: ``/donors/18446744073709551616`` is a plain 404, where the
database would otherwise refuse the query with an error (PostgreSQL: "integer out of range").
The converters raise ``NotFound`` themselves rather than werkzeug's ``ValidationError``: after a
rule is chosen, the latter becomes a 405 when another rule of the same path takes another method.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

from ledger.domain.text import FORBIDDEN_CHARACTERS
from ledger.web.api.schemas import ID_MAX, SEQ_MAX


class IdConverter(IntegerConverter):
    """``<id:name>``: the id of a row, from 1 to ``ID_MAX`` (an INTEGER column)."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=ID_MAX)

    def to_python(self, value: str) -> int:
        try:
            number: int = super().to_python(value)
        except ValidationError:
            raise NotFound() from None
        return number


class SeqConverter(IdConverter):
    """``<seq:name>``: a journal sequence number, from 1 to ``SEQ_MAX`` (a BIGINT column)."""

    def __init__(self, map: Map) -> None:
        IntegerConverter.__init__(self, map, min=1, max=SEQ_MAX)


class TextConverter(UnicodeConverter):
    """The default ``<name>``: one path segment without control characters (PostgreSQL cannot store NUL)."""

    def to_python(self, value: str) -> str:
        if FORBIDDEN_CHARACTERS.search(value):
            raise NotFound()
        return value


def install_converters(app: Flask) -> None:
    """Add the converters to the app's URL map; call it before any blueprint adds its routes."""
    app.url_map.converters.update(id=IdConverter, seq=SeqConverter, default=TextConverter, string=TextConverter)
