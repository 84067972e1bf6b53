"""The pages' Vietnamese catalogue: every sentence of the pages translated, and the compiled file current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "ledger" / "translations" / "vi" / "LC_MESSAGES"


def _source_messages() -> set[str]:
    """What ``pybabel extract -F babel.cfg -k _l -k lazy_gettext`` finds in the pages and templates."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str] = set()
    for folder, method in ((ROOT / "ledger" / "web" / "pages", "python"), (ROOT / "templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), [(pattern, method)], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_sentence_of_the_pages_has_its_vietnamese_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(_source_messages() - {k for k, v in translated.items() if v})
    assert missing == [], "run the commands of README 'Translations' and translate these"


def test_the_compiled_catalogue_is_the_one_the_po_file_gives() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        source = {m.id: m.string for m in read_po(po) if m.id}
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    assert compiled == source, "run: .venv/bin/pybabel compile -d translations"
