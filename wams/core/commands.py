"""One command record per lifecycle step; field names are the scenario keys (docs/scenarios.md).

Where a step may bring a new person or party into the case, the field holds the full
:class:`~wams.core.model.Persoon` / :class:`~wams.core.model.Partij`; everywhere else it holds
the ``ref`` of one already named, and the policy refuses refs the case does not know.
"""

from __future__ import annotations

import attrs

from wams.core.model import Partij, Persoon

#: A plain-text field that names a declared id of the scenario (a person, a party): the
#: scenario loader checks it is declared, the schema and the reference say so. Fields typed
#: Persoon/Partij are ids too (resolved to full records); these stay strings.
REF = "ref"
PERSOON = {REF: "persoon"}
PARTIJ = {REF: "partij"}
PARTIJ_OF_COLLEGE = {REF: "partij_of_college"}  # "college": data the college holds itself
DEELNEMER = {REF: "deelnemer"}


def _tuple(value: object) -> tuple[object, ...]:
    # A bare string is iterable too: indicatoren="inkomen" must not become its letters.
    if isinstance(value, str):
        return (value,)
    return tuple(value) if value is not None else ()  # type: ignore[arg-type]


def party_ref(partij: Partij | str) -> str:
    """The ref of a party named by record or by ref."""
    return partij.ref if isinstance(partij, Partij) else partij


@attrs.frozen
class Hulpvraag:
    wet: str
    client: Persoon
    vraag: str
    aanleiding: str | None = None
    bron: str = "client"


@attrs.frozen
class Aanleiding:
    omschrijving: str


@attrs.frozen
class Verzoek:
    partij: Partij
    client: Persoon
    onderbouwing: str | None
    indicatoren: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    helpt: str | None = None
    # a purpose code (wams.core.law.purposes); R12: a justice party names a justice purpose
    doel: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class Betrokkenheid:
    partij: Partij
    persoon: Persoon
    dienst: str | None = None


@attrs.frozen
class BesluitVerzoek:
    gegrond: bool
    motivering: str | None = None
    werkinstructie: str | None = None
    # R07: the severity indicators the decision rests on (MvT §2.2, §3.3.2), as in the verzoek
    indicatoren: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class Informeer:
    personen: tuple[str, ...] = attrs.field(converter=_tuple, metadata=PERSOON)
    wijze: str | None = None
    # the persons are minors, informed through their legal representative (our choice)
    via_vertegenwoordiger: bool = False


@attrs.frozen
class Samenspraak:
    omschrijving: str


@attrs.frozen
class Domein:
    domein: str
    reden: str | None = None
    client_akkoord: bool | None = None


@attrs.frozen
class Gezinslid:
    persoon: Persoon
    samenhang: str | None = None


@attrs.frozen
class BetrekPartij:
    partij: Partij
    aanleiding: str | None = None
    doel: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class VraagGegevens:
    bij: Partij
    categorie: str
    over: str = attrs.field(metadata=PERSOON)
    doel: str | None = None
    noodzaak: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class Verstrekking:
    # the party answering: its record, like every other step, or its ref in the case
    bij: Partij | str = attrs.field(metadata=PARTIJ)
    categorie: str
    over: str = attrs.field(metadata=PERSOON)
    besluit: str
    voorwaarden: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    reden: str | None = None


@attrs.frozen
class Hergebruik:
    categorie: str
    over: str = attrs.field(metadata=PERSOON)
    reden: str | None = None
    doel: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class Dienst:
    persoon: str = attrs.field(metadata=PERSOON)
    dienst: str
    status: str
    partij: Partij | None = None


@attrs.frozen
class Terugkoppeling:
    samenvatting: str


@attrs.frozen
class Afspraken:
    coordinatie: str | None = None
    evaluatie: str | None = None
    beeindiging: str | None = None


@attrs.frozen
class Werkplan:
    samenhang: str | None
    coordinatie_helpt: bool
    afspraken: Afspraken = Afspraken()
    contactpersoon: str | None = None


@attrs.frozen
class Coordinator:
    type: str
    wie: str


@attrs.frozen
class Inbreng:
    # a party ref, or "college" for data the college holds
    partij: str = attrs.field(metadata=PARTIJ_OF_COLLEGE)
    categorie: str
    over: str = attrs.field(metadata=PERSOON)


@attrs.frozen
class AkkoordCoordinatie:
    """A party agrees to take the coordinating role (R26, R28): its own step, never the
    college's (in the service only the party's own token takes it)."""

    partij: str = attrs.field(metadata=PARTIJ)


@attrs.frozen
class Casusoverleg:
    bijeengeroepen_door: str
    deelnemers: tuple[str, ...] = attrs.field(converter=_tuple, metadata=DEELNEMER)
    inbreng: tuple[Inbreng, ...] = attrs.field(default=(), converter=_tuple)
    uitkomst: str | None = None
    # R12: a casusoverleg with a justice party at the table has a justice purpose
    doel: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class Voortgang:
    samenvatting: str


@attrs.frozen
class Taak:
    partij: str = attrs.field(metadata=PARTIJ)
    omschrijving: str


@attrs.frozen
class Bijdrage:
    partij: str = attrs.field(metadata=PARTIJ)
    omschrijving: str


@attrs.frozen
class Bezwaar:
    persoon: str = attrs.field(metadata=PERSOON)


@attrs.frozen
class BesluitBezwaar:
    persoon: str = attrs.field(metadata=PERSOON)
    doorgaan: bool
    motivering: str | None = None
    # R09: resuming rests on the indicators of severity (MvT §2.2, §3.3.2)
    indicatoren: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class Sluit:
    terugvalafspraken: str | None = None
    reden: str | None = None


@attrs.frozen
class Vernietig:
    pass


@attrs.frozen
class Melder:
    soort: str
    naam: str | None = None


@attrs.frozen
class Melding:
    melder: Melder
    over: Persoon
    zorg: str


@attrs.frozen
class MeldingDoorgeven:
    """Pass the data of a melding on (R34). ``melding`` is its id; a scenario leaves it out and
    means the last melding of the scenario. ``aan`` is the receiving party: its kind decides
    whether the purpose must be a justice purpose (R12)."""

    aan: Partij
    reden: str | None = None
    melding: int | None = None
    doel: str | None = None
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


@attrs.frozen
class Inzage:
    # A Persoon (with BSN where known) finds his records in every case and outside one; a
    # bare ref finds them through the case it is asked in.
    persoon: Persoon | str = attrs.field(metadata=PERSOON)


@attrs.frozen
class Export:
    doel: str
    # free text beside the purpose code: kept (sealed), scanned only to warn the FG
    toelichting: str | None = None


# The list of steps and which command each takes: wams.core.law.steps (one record a step).
__all__ = ["Aanleiding", "Afspraken", "AkkoordCoordinatie", "BesluitBezwaar", "BesluitVerzoek",
           "Betrokkenheid", "BetrekPartij", "Bezwaar", "Bijdrage", "Casusoverleg",
           "Coordinator", "Dienst", "Domein", "Export", "Gezinslid", "Hergebruik", "Hulpvraag",
           "Inbreng", "Informeer", "Inzage", "Melder", "Melding", "MeldingDoorgeven",
           "Samenspraak", "Sluit", "Taak", "Terugkoppeling", "Vernietig", "Verstrekking",
           "Voortgang", "Werkplan", "REF", "party_ref"]
