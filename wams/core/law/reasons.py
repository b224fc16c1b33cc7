"""Stable reason codes for every decision, with the Dutch message shown to the person using it.

Why codes *and* messages: scenarios, the JSON output and other tools match on the English
machine code, which never changes; people read the Dutch sentence, which says what is refused
and, where useful, what to do next. Each code also names the rules (see
:mod:`wams.core.law.rules`) the refusal rests on, so a decision can cite its legal sources without
the policy code repeating them.

Messages are complete sentences without placeholders; policy code may append a sentence with
case-specific detail (e.g. which domain or party).
"""

from __future__ import annotations

import attrs

from wams.core.law.citations import Citation, keuze, mvt
from wams.core.law.rules import RULES


@attrs.frozen
class Reason:
    """A reason code: ``code`` for machines, ``message`` (Dutch) for people, ``rules`` cited.

    ``sources`` are cited besides the rules' own: where a refusal decides a *reading* of the
    memorandum (issue 23), the section that reading rests on, with its footing (``bron`` where
    the memorandum says it, ``keuze`` where it is silent and the choice is ours)."""

    code: str
    message: str
    rules: tuple[str, ...]
    sources: tuple[Citation, ...] = ()


def _x(code: str, message: str, *rules: str, sources: tuple[Citation, ...] = ()) -> Reason:
    return Reason(code=code, message=message, rules=tuple(rules), sources=sources)


_TABLE: tuple[Reason, ...] = (
    _x("ok", "Toegestaan."),
    # --- Entry ----------------------------------------------------------------------------
    _x(
        "entry.law_unknown",
        "Deze wet kan geen zaak openen: een hulpvraag kan alleen worden ingediend op grond van "
        "de Wmo 2015, de Jeugdwet, de Participatiewet of de Wet gemeentelijke "
        "schuldhulpverlening.",
        "R01",
    ),
    _x(
        "entry.not_a_hulpvraag",
        "Dit is geen hulpvraag van de inwoner: een zaak opent nooit door vroegsignalering, "
        "data-analyse of het koppelen van bestanden, alleen door een hulpvraag of door een "
        "verzoek van een partij die al bij de persoon betrokken is.",
        "R01",
    ),
    _x(
        "entry.adjacent_cannot_open",
        "Een wet uit een aanpalend domein kan geen zaak openen; een partij uit dat domein kan "
        "wel aan een lopende zaak deelnemen of, als zij al bij de persoon betrokken is, het "
        "college om onderzoek verzoeken.",
        "R01",
    ),
    # --- Verzoek (route B) ----------------------------------------------------------------
    _x(
        "verzoek.party_not_involved",
        "Alleen een partij die al bij deze persoon betrokken is, kan het college om onderzoek "
        "verzoeken; leg eerst vast dat en waarom de partij bij de persoon betrokken is.",
        "R06",
    ),
    _x(
        "verzoek.no_substantiation",
        "Het verzoek is niet onderbouwd: geef aan waarom de problematiek ernstig is (ten minste "
        "één indicator) en hoe een integrale aanpak kan helpen.",
        "R06",
    ),
    _x(
        "verzoek.not_decided",
        "Het college heeft nog niet besloten of er gronden zijn voor onderzoek; tot dat besluit "
        "is geen andere verwerking toegestaan dan de behandeling van het verzoek.",
        "R07",
    ),
    _x(
        "verzoek.rejected",
        "Het college heeft besloten dat er geen gronden zijn voor onderzoek; in deze zaak is "
        "geen verdere verwerking van persoonsgegevens toegestaan.",
        "R07",
    ),
    _x(
        "inform.required",
        "De persoon is nog niet geïnformeerd over de voorgenomen gegevensverwerking en zijn "
        "rechten onder de AVG; informeer hem eerst, daarna kunnen gegevens over hem worden "
        "verwerkt: opgevraagd bij partijen, ingebracht in een casusoverleg of hergebruikt uit "
        "wat het college al heeft.",
        "R08",
        sources=(mvt("§3.3.2"),),
    ),
    _x(
        "inform.gezinslid_required",
        "Ook in route A wordt een gezinslid eerst geïnformeerd over de voorgenomen "
        "gegevensverwerking: het onderzoek gebeurt in samenspraak met de cliënt en de betrokken "
        "gezinsleden. Informeer hem (een minderjarige via zijn wettelijk vertegenwoordiger) "
        "voordat gegevens over hem worden opgevraagd of ingebracht.",
        "R03",
        "R10",
        sources=(mvt("§3.3.1"),),
    ),
    # --- Scope, family, parties -----------------------------------------------------------
    _x(
        "scope.domain_refused",
        "De cliënt heeft dit domein buiten het onderzoek gehouden; gegevens, partijen en "
        "diensten in dit domein zijn niet toegestaan (samenspraak).",
        "R03",
        "R19",
    ),
    _x(
        "scope.client_view_missing",
        "De mening van de cliënt over dit domein is niet vastgelegd: een domein komt alleen in "
        "het onderzoek in samenspraak met de cliënt; leg vast of hij akkoord is (ja of nee).",
        "R03",
    ),
    _x(
        "scope.domain_not_in_scope",
        "Dit domein hoort niet bij het onderzoek; voeg het eerst met een vastgelegde reden toe "
        "voordat gegevens, partijen of diensten uit dit domein worden betrokken.",
        "R19",
        "R04",
    ),
    _x(
        "reason.standaardscreening",
        "Een standaardvragenlijst, zelfredzaamheidsmatrix of brede screening is geen reden: "
        "het college gaat niet standaard bij iedereen op ieder terrein na of er problemen "
        "spelen. Vermeld de concrete aanleiding voor juist deze stap.",
        "R04",
        sources=(mvt("§3.3.1"),),
    ),
    _x(
        "reason.missing",
        "Er is geen reden vastgelegd: vermeld concreet waarom dit nodig is (bij een "
        "gegevensvraag het doel en de noodzaak); een algemene of standaard vraag is geen reden.",
        "R04",
        "R15",
    ),
    _x(
        "family.no_samenhang",
        "Een gezinslid kan alleen bij de zaak worden betrokken als de samenhang met de "
        "problematiek van de cliënt is vastgelegd.",
        "R10",
    ),
    _x(
        "family.already_in_case",
        "Deze persoon hoort al bij de zaak; iemand opnieuw toevoegen verandert niets aan wat "
        "over hem is vastgelegd, ook niet aan zijn verzoek om de verwerking te stoppen.",
        "R10",
        "R09",
    ),
    _x(
        "family.not_in_case",
        "Deze persoon hoort niet bij de zaak; verwerking is alleen toegestaan over de cliënt en "
        "over gezinsleden die met vastgelegde samenhang bij de zaak zijn betrokken.",
        "R10",
        "R19",
    ),
    _x(
        "party.adjacent_no_aanleiding",
        "Een partij uit een aanpalend domein kan alleen bij de zaak worden betrokken als de "
        "aanleiding daarvoor is vastgelegd.",
        "R11",
    ),
    _x(
        "verzoek.namens_college",
        "Een partij die in deze hoedanigheid namens het college optreedt, kan het college niet "
        "om onderzoek verzoeken: het verzoek komt van een instantie of professional die zelf al "
        "bij de persoon betrokken is, het college beslist erop.",
        "R06",
        "R21",
        sources=(mvt("§3.3.2"), mvt("§3.2.5")),
    ),
    _x(
        "betrokkenheid.dienst_not_deliverable",
        "Een betrokkenheid noemt de dienst of interventie die de partij aan de persoon verleent, "
        "en dat is er een die een partij van deze soort volgens de catalogus kan leveren (een "
        "dienst uit haar eigen domein).",
        "R06",
        sources=(mvt("§3.3.2"),
                 keuze("betrokkenheid blijkt uit een dienst uit het domein van de partij",
                       "§3.3.2")),
    ),
    _x(
        "besluit_verzoek.no_indicatoren",
        "Het besluit dat er gronden zijn voor onderzoek noemt de indicatoren van de ernst van de "
        "problematiek waarop het rust (ten minste één), net als het verzoek zelf, naast de "
        "motivering en de werkinstructie.",
        "R07",
        sources=(mvt("§3.3.2"), mvt("§2.2")),
    ),
    _x(
        "party.justice_purpose",
        "Een partij uit de strafrechtketen, en strafrechtelijke gegevens, kunnen alleen worden "
        "betrokken voor het voorkomen van recidive, het voorkomen van slachtofferschap of "
        "re-integratie; vermeld een van die doelen bij het betrekken van de partij.",
        "R12",
    ),
    _x(
        "party.not_involved",
        "Deze partij is niet bij de zaak betrokken; betrek haar eerst, binnen de domeinen van "
        "het onderzoek, voordat zij gegevens levert, een dienst verleent, bijdraagt of "
        "deelneemt.",
        "R19",
        "R29",
    ),
    # --- Data -----------------------------------------------------------------------------
    _x(
        "category.undeclared",
        "Deze gegevenscategorie is door geen enkele wet-plugin gedeclareerd; niet-gedeclareerde "
        "gegevens worden niet verwerkt.",
        "R14",
    ),
    _x(
        "category.party_may_not_supply",
        "Deze partij mag deze gegevenscategorie niet leveren; vraag de gegevens bij een partij "
        "die daarvoor is aangewezen.",
        "R14",
        "R19",
    ),
    _x(
        "purpose.enforcement_excluded",
        "Gegevens uit een zaak mogen nooit worden gebruikt, ingezien of geëxporteerd voor "
        "handhaving, opsporing of vervolging; dit doel is uitgesloten.",
        "R20",
    ),
    _x(
        "purpose.phase_mismatch",
        "Dit doel past niet bij de fase van de casus: gegevens worden gevraagd voor het "
        "onderzoek zolang dat loopt, voor het werkplan vanaf de terugkoppeling en voor de "
        "coördinatie zodra er een coördinator is; noem de doelcode van de huidige fase.",
        "R19",
    ),
    _x(
        "objection.pending",
        "De persoon heeft gevraagd de verwerking te stoppen; alle verdere verwerking over hem is "
        "opgeschort totdat het college op dat verzoek heeft besloten.",
        "R09",
    ),
    _x(
        "objection.ended",
        "De verwerking over deze persoon is op zijn verzoek beëindigd; er mogen geen gegevens "
        "meer over hem worden verwerkt.",
        "R09",
        "R03",
    ),
    _x(
        "provision.condition_violated",
        "De partij die deze gegevens verstrekte, heeft er voorwaarden aan verbonden (bijvoorbeeld "
        "geen doorverstrekking) die deze handeling niet toestaan.",
        "R16",
    ),
    _x(
        "provision.no_basis",
        "Voor deze gegevens geldt een geheimhoudings- of verstrekkingsregime (beroepsgeheim, "
        "Wet politiegegevens of Wet justitiële en strafvorderlijke gegevens); zij mogen alleen "
        "worden verstrekt op grond van een wettelijke verstrekkingsregel die dat regime voor de "
        "integrale aanpak doorbreekt, en die is er niet.",
        "R17",
        "R16",
    ),
    _x(
        "capacity.crossing",
        "Deze gegevens zijn in een andere hoedanigheid of onder een gesloten regime verwerkt "
        "(beroepsgeheim, Wet politiegegevens, Wet justitiële en strafvorderlijke gegevens) en "
        "mogen niet door hergebruik naar het coördinatiedossier van het college; vraag ze zo "
        "nodig met een gegevensvraag op bij de partij die ze heeft.",
        "R21",
        "R17",
    ),
    # --- Werkplan, coördinatie, casusoverleg ----------------------------------------------
    _x(
        "werkplan.geen_grondslag",
        "Er is geen grondslag voor een werkplan: daarvoor zijn meer diensten uit het sociaal "
        "domein nodig (voor de cliënt of voor meerdere gezinsleden), of één dienst uit het "
        "sociaal domein met een dienst of interventie uit een aanpalend domein of een "
        "interventie uit het sociaal domein, en een gecoördineerde aanpak moet kunnen helpen. "
        "Een interventie telt niet als dienst: ten minste één dienst komt uit het sociaal "
        "domein.",
        "R24",
        "R22",
        "R23",
    ),
    _x(
        "werkplan.incomplete",
        "Het werkplan is onvolledig: leg de samenhang vast en de afspraken over coördinatie, "
        "evaluatie en beëindiging.",
        "R25",
    ),
    _x(
        "coordinator.missing",
        "Er is nog geen coördinator aangewezen; wijs eerst een coördinator voor het werkplan "
        "aan.",
        "R26",
        "R27",
    ),
    _x(
        "coordinator.party_not_agreed",
        "Een partij wordt pas coördinator als zij daar zelf mee heeft ingestemd (stap "
        "akkoord_coordinatie van die partij); het college heeft geen doorzettingsmacht en kan "
        "een partij die rol niet opleggen.",
        "R26",
        "R28",
        sources=(mvt("§1.4"), mvt("§3.3.3")),
    ),
    _x(
        "coordinator.invalid",
        "Deze coördinator kan niet worden aangewezen: kies de cliënt (of een gezinslid in de "
        "zaak), een betrokken partij of een gemeenteambtenaar.",
        "R26",
    ),
    _x(
        "doorzettingsmacht.none",
        "Het college en de coördinator hebben geen doorzettingsmacht en kunnen een partij geen "
        "taak opleggen; een partij beslist zelf over haar bijdrage en legt die vast.",
        "R28",
    ),
    _x(
        "casusoverleg.convener",
        "Een casusoverleg wordt bijeengeroepen door het college, tijdens het onderzoek of na de "
        "terugkoppeling om het werkplan af te spreken, en tijdens de coördinatie door de "
        "aangewezen coördinator; deze bijeenroeper past niet bij de fase van de zaak.",
        "R29",
        sources=(mvt("§3.3"), mvt("§3.3.3")),
    ),
    _x(
        "casusoverleg.domain_withdrawn",
        "Deze partij werkt in een domein dat de cliënt buiten het onderzoek heeft gehouden of "
        "teruggetrokken: de wens van de betrokkene is leidend, dus zij neemt niet deel aan het "
        "casusoverleg, brengt er niets in en ontvangt er niets uit.",
        "R03",
        "R29",
        sources=(mvt("§3.3.1"),),
    ),
    _x(
        "casusoverleg.recipient_not_entitled",
        "Gezondheids- of strafrechtelijke gegevens over een persoon worden in een casusoverleg "
        "niet gedeeld zolang een andere persoon (een gezinslid of de cliënt) deelneemt; hij hoeft "
        "ze niet te kennen. Bespreek ze zonder hem of laat ze weg.",
        "R30",
    ),
    _x(
        "casusoverleg.not_involved",
        "Aan een casusoverleg nemen alleen de cliënt, gezinsleden in de zaak en bij de zaak "
        "betrokken partijen deel; niet iedere deelnemer voldoet daaraan.",
        "R29",
        "R30",
    ),
    # --- Closure, retention, meldpunt, lifecycle, tenant ----------------------------------
    _x(
        "onderzoek.no_terugkoppeling",
        "Een verplicht onderzoek na een hulpvraag eindigt met een terugkoppeling van de "
        "uitkomsten aan de cliënt, of met een vastgelegde reden waarom het zonder terugkoppeling "
        "stopt; het wordt niet stilzwijgend gesloten.",
        "R02",
        sources=(mvt("§3.3.1"),),
    ),
    _x(
        "closure.no_terugvalafspraken",
        "De zaak kan pas worden afgesloten als er afspraken over terugval zijn vastgelegd.",
        "R32",
    ),
    _x(
        "retention.not_expired",
        "De bewaartermijn van het coördinatiedossier is nog niet verstreken; vernietiging is pas "
        "daarna mogelijk.",
        "R33",
    ),
    _x(
        "melding.no_case",
        "Een melding opent nooit zelf een zaak; zij kan leiden tot contact met de persoon (en "
        "dan een hulpvraag) of tot een verzoek van een partij die al bij hem betrokken is.",
        "R35",
        "R01",
    ),
    _x(
        "state.invalid_transition",
        "Deze handeling is in de huidige fase van de zaak niet mogelijk.",
    ),
    _x(
        "access.role",
        "Uw rol geeft geen recht op deze handeling of op deze gegevens; een partij ziet alleen "
        "wat zij zelf verstrekte of wat in een casusoverleg met haar is gedeeld.",
        "R19",
        "R30",
    ),
    _x(
        "access.party_kind",
        "Een partij is van de soort waarmee de gemeente haar kent; zij kan zich niet als een "
        "andere soort aanmelden of voor een andere partij optreden.",
        "R06",
        "R12",
    ),
    _x(
        "access.party_answers",
        "Alleen de partij aan wie een verzoek om gegevens is gericht, beantwoordt het: zij "
        "beslist of en onder welke voorwaarden zij gegevens verstrekt; niemand anders, ook het "
        "college niet, geeft dat antwoord namens haar.",
        "R16",
    ),
    _x(
        "access.party_consents",
        "Alleen de partij zelf neemt de coördinerende rol op zich: het college heeft geen "
        "doorzettingsmacht en niemand anders geeft die instemming namens haar.",
        "R26",
        "R28",
        sources=(mvt("§1.4"), mvt("§3.3.3")),
    ),
    _x(
        "tenant.mismatch",
        "Dit hoort bij een andere gemeente; gegevens en zaken gaan nooit over de grens van een "
        "gemeente heen.",
        "R38",
    ),
)

REASONS: dict[str, Reason] = {r.code: r for r in _TABLE}
"""Every stable reason code, ``ok`` first."""


def _check() -> None:
    """Fail at import if the table is inconsistent: a typo here would silently cite nothing."""
    if len(REASONS) != len(_TABLE):
        raise RuntimeError("duplicate reason code in the reason table")
    for r in _TABLE:
        unknown = [rid for rid in r.rules if rid not in RULES]
        if unknown:
            raise RuntimeError(f"reason {r.code!r} cites unknown rule(s) {unknown}")
        if not all(isinstance(c, Citation) for c in r.sources):
            raise RuntimeError(f"reason {r.code!r} cites a source that is not a Citation")


_check()


def reason(code: str) -> Reason:
    """Return the reason for this code; an unknown code is a programming error, so fail loudly."""
    try:
        return REASONS[code]
    except KeyError:
        raise KeyError(f"unknown reason code {code!r}") from None


__all__ = ["REASONS", "Reason", "reason"]
