"""Names as people search for them: without accents, case or extra spaces."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """``"Nguyễn Văn Ấn"`` → ``"nguyen van an"``: what a search or a header match compares, so that
    a name typed without accents (on a phone, or by habit) still matches. ``đ`` is a letter of its
    own, not an accented ``d``, so it is mapped by hand."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.casefold().split())
