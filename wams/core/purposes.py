"""Purposes: the one table of enforcement terms (R20) and the one normaliser every purpose-bearing
text goes through before it is compared.

Why a substring table and a normaliser, not a list of allowed words: R20 excludes handhaving,
opsporing and vervolging as a *purpose* (MvT §1.4, §2.2), however it is spelled. An exact match
on three words let "fraudeonderzoek door de sociale recherche", "opsporing." or a word with a
zero-width space or a Cyrillic letter through. So a text is first normalised (Unicode NFKC,
format characters removed, confusable letters folded to their Latin look-alike, case folded)
and then searched for any term of :data:`ENFORCEMENT_TERMS`.

``vervolg`` alone is *not* a term: "vervolgafspraak" or "vervolgonderzoek" is a follow-up, not
a prosecution; ``vervolging`` and ``strafvervolg`` are. Which other terms count is a design
choice (the memorandum names the three purposes, not their synonyms); the list is the
scenarios' "Revision 2" list.
"""

from __future__ import annotations

import unicodedata

#: R20: terms that name an enforcement purpose, compared against :func:`normalise`\ d text.
#: Each is written already normalised (lower case, Latin letters).
ENFORCEMENT_TERMS: tuple[str, ...] = (
    "opspor", "handhaving", "handhaven", "vervolging", "strafvervolg", "strafrecht",
    "fraude", "recherche", "sanctie", "boete", "terugvordering", "proces-verbaal",
    "enforcement", "prosecut",
)

#: Letters of other scripts that look like a Latin letter (Unicode confusables, the subset
#: that can spell a Dutch or English word: Cyrillic and Greek).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ս": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ᴢ": "z",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y",
}
_FOLD = str.maketrans(CONFUSABLES)


def normalise(text: str) -> str:
    """The comparable form of a purpose text: NFKC, no format characters (Cf: zero-width
    space, soft hyphen, direction marks), confusables folded to Latin, case folded, and runs of
    whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Fold before and after casefold: some capitals casefold to a confusable small letter.
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def enforcement_term(*texts: str | None) -> str | None:
    """The first enforcement term any of these texts contains (after :func:`normalise`), or
    None. A hyphen inside a word ("op-sporing") does not hide it. Spaces are kept: joining
    words would make "vervolg in gesprek" read as "vervolging"."""
    for text in texts:
        if not text:
            continue
        flat = normalise(str(text))
        joined = flat.replace("-", "")
        for term in ENFORCEMENT_TERMS:
            if term in flat or term.replace("-", "") in joined:
                return term
    return None


__all__ = ["CONFUSABLES", "ENFORCEMENT_TERMS", "enforcement_term", "normalise"]
