"""Citations as records: what a rule or a plugin's provision rests on, and how firmly.

Why a record and not a string: a citation can claim more than its source says. The 2020
consultation memorandum (MvT) stops in §3.3.3; it *announces* the regulation on data processing
for §3.4, describes current practice in §3.1.4, and says nothing about a retention period or an
age of majority. A reader of a decision must see which of these a citation is. So every citation
names its ``instrument`` (``MvT``, ``AVG``, ``Wmo 2015``, ``Jeugdwet`` …), its ``provision`` (a
section, an article in the memorandum's own words, or a description) and one ``footing``:

- ``bron``: the memorandum says it; ``sections`` are where (every number in ``provision``
  occurs there, which ``tests/test_citations.py`` checks against the text);
- ``praktijk``: the memorandum describes current practice the bill builds on (§3.1.4);
- ``aangekondigd``: the memorandum announces a provision whose text it does not contain
  (§3.3 announces the data-processing regulation for §3.4, which is absent);
- ``ander_voorstel``: the 2023 bill (Kamerstuk 36 295), as far as public summaries show it;
- ``keuze``: our own choice where the memorandum is silent.

A decision resting on one of the last three says so in its Dutch message
(:func:`caveat`), so nobody mistakes a design choice for the law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

FOOTINGS: tuple[str, ...] = ("bron", "praktijk", "aangekondigd", "ander_voorstel", "keuze")
#: footings that are not the memorandum's own word: a decision resting on one says so
UNCERTAIN_FOOTINGS: tuple[str, ...] = ("aangekondigd", "ander_voorstel", "keuze")
#: footings that must name the memorandum section they rest on
SECTION_FOOTINGS: tuple[str, ...] = ("bron", "praktijk", "aangekondigd")

FOOTING_LABELS: dict[str, str] = {
    "bron": "bron",
    "praktijk": "praktijk",
    "aangekondigd": "aangekondigd",
    "ander_voorstel": "ander voorstel",
    "keuze": "eigen keuze",
}

#: the Dutch sentence a decision adds per uncertain footing it rests on
CAVEATS: dict[str, str] = {
    "aangekondigd": "Let op: dit rust mede op een bepaling die de memorie van toelichting "
                    "aankondigt maar niet bevat (MvT §3.3 verwijst naar §3.4).",
    "ander_voorstel": "Let op: dit rust mede op het wetsvoorstel van 2023 (Kamerstuk 36 295), "
                      "niet op de tekst van 2020.",
    "keuze": "Let op: dit rust mede op een eigen keuze van wams waar de memorie van "
             "toelichting zwijgt.",
}

SECTION = re.compile(r"^§\d+(?:\.\d+)*$")
#: the 2023 bill, the only other proposal a citation may rest on
ANDER_VOORSTEL = "Wams 2023 (Kamerstuk 36 295)"


def _sections(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def problems(c: object) -> list[str]:
    """What is wrong with this citation, in Dutch; empty when it is well-formed.

    A plugin's citations are checked with this at startup (one clear line per defect)."""
    if not isinstance(c, Citation):
        return [f"{c!r} is geen Citation (instrument, bepaling, grondslag, secties)"]
    found = []
    if not c.instrument.strip() or not c.provision.strip():
        found.append("instrument en bepaling zijn verplicht")
    if c.footing not in FOOTINGS:
        found.append(f"grondslag '{c.footing}' is geen {'/'.join(FOOTINGS)}")
    if c.footing in SECTION_FOOTINGS and not c.sections:
        found.append(f"grondslag '{c.footing}' noemt de sectie van de memorie van toelichting")
    for s in c.sections:
        if not SECTION.match(s):
            found.append(f"sectie '{s}' is geen '§<nummer>' (bijvoorbeeld §3.3.1)")
    if c.footing == "ander_voorstel" and c.instrument != ANDER_VOORSTEL:
        found.append(f"een ander voorstel is alleen '{ANDER_VOORSTEL}'")
    return found


@attrs.frozen
class Citation:
    """One citation: instrument, provision or section, footing, and the MvT sections it rests on.

    ``voorstel`` marks a provision the bill proposes (not yet law)."""

    instrument: str
    provision: str
    footing: str
    sections: tuple[str, ...] = attrs.field(default=(), converter=_sections)
    voorstel: bool = False

    def text(self) -> str:
        """The citation without its footing: ``MvT §3.3.1``,
        ``Wmo 2015, nieuwe paragraaf 3a (voorstel; MvT §1.3)``."""
        if self.instrument == "MvT":
            return f"MvT {self.provision}"
        parts = (["voorstel"] if self.voorstel else []) \
            + ([f"MvT {', '.join(self.sections)}"] if self.sections else [])
        return f"{self.instrument}, {self.provision}" + (f" ({'; '.join(parts)})" if parts
                                                          else "")

    def labelled(self) -> str:
        """The citation with its footing first, as decisions, reports and listings show it:
        ``bron: MvT §3.3.1``, ``praktijk: MvT §3.1.4``, ``eigen keuze: wams, …``."""
        return f"{FOOTING_LABELS.get(self.footing, self.footing)}: {self.text()}"

    def __str__(self) -> str:
        return self.labelled()


def mvt(section: str, footing: str = "bron") -> Citation:
    """A section of the memorandum itself (``bron``, or ``praktijk`` for §3.1.4)."""
    return Citation("MvT", section, footing, (section,))


def keuze(what: str, *sections: str) -> Citation:
    """Our own choice where the memorandum is silent; ``sections`` where it is closest."""
    return Citation("wams", what, "keuze", sections)


def ander_voorstel(what: str) -> Citation:
    """What the 2023 bill (Kamerstuk 36 295) says, as public summaries show it."""
    return Citation(ANDER_VOORSTEL, what, "ander_voorstel")


def as_citations(value: object) -> tuple[Citation, ...]:
    """One citation or several, as a tuple (what a plugin record accepts)."""
    if isinstance(value, Citation):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)  # type: ignore[return-value]  # reported by problems() at startup
    return tuple(value)


def footings(cited: Iterable[Citation]) -> tuple[str, ...]:
    """The uncertain footings among these citations, in the fixed order of FOOTINGS."""
    present = {c.footing for c in cited}
    return tuple(f for f in UNCERTAIN_FOOTINGS if f in present)


def caveat(uncertain: Iterable[str]) -> str | None:
    """The Dutch sentences a decision adds for the uncertain footings it rests on."""
    sentences = [CAVEATS[f] for f in UNCERTAIN_FOOTINGS if f in set(uncertain)]
    return " ".join(sentences) or None


__all__ = ["ANDER_VOORSTEL", "CAVEATS", "FOOTINGS", "FOOTING_LABELS", "UNCERTAIN_FOOTINGS",
           "Citation", "ander_voorstel", "as_citations", "caveat", "footings",
           "keuze", "mvt", "problems"]
