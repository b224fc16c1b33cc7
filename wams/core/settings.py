"""Municipal settings: the choices the law leaves to each municipality, in one place.

Both the API (``Wams.set_setting``) and scenario files (``instellingen``) go through
:func:`check`, so a value the engine would refuse is already refused when a scenario loads.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from wams.core.errors import InputError


@attrs.frozen
class SettingSpec:
    """A municipal setting: a whole number of months (``minimum`` or more), or with
    ``codes=True`` a list of codes (lower-case words with underscores), ``text=True`` one line
    of text, ``per_party=True`` a mapping of party ref (as the case names the party) to one
    line of text (``urls=True``: to an https URL; ``kinds=True``: to a qualified party kind,
    ``wgs.schuldhulpverlener``)."""

    key: str
    description: str
    default: Any
    minimum: int
    rule: str
    codes: bool = False
    text: bool = False
    per_party: bool = False
    urls: bool = False
    kinds: bool = False
    # a list of https/http URL prefixes (url_list=True), or one line matching ``pattern``
    url_list: bool = False
    pattern: str | None = None


INDICATOREN_EXTRA = "indicatoren_extra"
GEMEENTE_NAAM = "gemeente_naam"
PARTIJ_NAMEN = "partij_namen"
PARTIJ_LEES_API = "partij_lees_api"
PARTIJ_SOORTEN = "partij_soorten"
WEBHOOK_ADRESSEN = "webhook_adressen"
OIN = "oin"
CODE = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
#: one line of text a person reads (a name): no control characters, not empty, not endless
LINE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", re.ASCII)
WEB_URL = re.compile(r"https?://[^\s/?#@]+(/[^\s?#]*)?", re.ASCII)
URL = re.compile(r"https://[^\s/?#]+(/[^\s]*)?", re.ASCII)


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    # R33: the bill sets no period; "na een beperkte tijd" (MvT §3.1.4) is a municipal choice.
    SettingSpec("bewaartermijn_maanden", "bewaartermijn van het coördinatiedossier na "
                "afsluiting, in maanden", 12, 0, "R33"),
    # R27: the coordinator reports "periodiek" (MvT §3.3.3); how often is a municipal choice.
    SettingSpec("voortgang_interval_maanden", "hoe vaak de coördinator het college over de "
                "voortgang informeert, in maanden", 3, 1, "R27"),
    # R34/R33 (Revision 2, item 12): what is kept outside a case is not kept for ever either;
    # the periods are municipal choices like the case's (MvT §3.1.4 sets none).
    SettingSpec("bewaartermijn_meldingen_maanden", "bewaartermijn van een melding bij het "
                "meldpunt (de zorg en wie meldde), in maanden", 12, 0, "R34"),
    SettingSpec("bewaartermijn_betrokkenheid_maanden", "bewaartermijn van een vastgelegde "
                "betrokkenheid van een partij, in maanden (nooit korter dan een zaak die erop "
                "rust)", 12, 0, "R33"),
    # R06/R07: the college's werkinstructie may add indicators of severity to the MvT §2.2
    # list (a municipal choice: the memorandum leaves the criteria to the werkinstructie).
    SettingSpec(INDICATOREN_EXTRA, "indicatoren van ernstige problematiek uit de eigen "
                "werkinstructie, naast die van MvT §2.2", (), 0, "R07", codes=True),
    # AVG art. 13/15: the person is told who the controller is; the access report names the
    # municipality and the organisations in words instead of a CBS code and refs.
    SettingSpec(GEMEENTE_NAAM, "de naam van de gemeente zoals inwoners die lezen (bv. "
                "Rotterdam), in het inzageoverzicht", None, 0, "R36", text=True),
    SettingSpec(PARTIJ_NAMEN, "de namen van partijen zoals inwoners die lezen, per kenmerk "
                "van de partij (bv. kredietbank: Kredietbank Rotterdam)", {}, 0, "R36",
                per_party=True),
    # Logboek Dataverwerkingen, extension "lezen": a record of processing a party's request
    # started names the read API of that party (dpl.read.externalReadAPI_id), so a person's
    # request can follow the processing from organisation to organisation.
    SettingSpec(PARTIJ_LEES_API, "de lees-API (Logboek Dataverwerkingen) van partijen, per "
                "kenmerk van de partij, als https-URL", {}, 0, "R36", per_party=True,
                urls=True),
    # Who a party is comes from the municipality, not from a request: the core refuses any
    # command (Python API, scenario, service) naming a party registered here as another kind,
    # and the service gives a party token this kind (a justice party cannot present itself
    # as a wijkteam and skip its purpose, R12; R06: a party already involved).
    SettingSpec(PARTIJ_SOORTEN, "de soort van elke bekende partij, per kenmerk van de partij "
                "(bv. kredietbank: wgs.schuldhulpverlener); een stap die haar als een andere "
                "soort noemt wordt geweigerd", {}, 0, "R06",
                per_party=True, kinds=True),
    # Webhooks leave the municipality's network: only to addresses it allows. An entry is a
    # URL prefix; one that names a private, loopback or link-local host by its IP address (or
    # localhost) is what explicitly allows such a host (wams.service.targets).
    SettingSpec(WEBHOOK_ADRESSEN, "de adressen waarheen webhooks mogen, als URL-voorvoegsels "
                "(bv. https://meldingen.leverancier.nl/); leeg: geen webhooks", [], 0, "R38",
                url_list=True),
    # NL GOV profile for CloudEvents: the source names the organisation by its OIN.
    SettingSpec(OIN, "het organisatie-identificatienummer (OIN, 20 cijfers) van de gemeente, "
                "voor de bron van meldingen (CloudEvents NL GOV)", None, 0, "R38", text=True,
                pattern=r"\d{20}"),
)}


def check(key: str, value: object) -> Any:
    """The value to store, or an InputError saying what is wrong and what is allowed."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise InputError(f"onbekende instelling '{key}'; bekend zijn: "
                         + ", ".join(sorted(SETTINGS)))
    if spec.text:
        return _text(spec, value)
    if spec.url_list:
        return _list(spec, value, WEB_URL, "een lijst adressen (http(s)://host[:poort]/pad) "
                     f"({spec.description})")
    if spec.per_party:
        return _per_party(spec, value)
    if spec.codes:
        return _list(spec, value, CODE, "een lijst codes (kleine letters en _), bijvoorbeeld "
                     f"[schooluitval] ({spec.description}, {spec.rule})")
    if isinstance(value, bool) or not isinstance(value, int) or value < spec.minimum:
        raise InputError(f"{key} is een heel aantal maanden van {spec.minimum} of meer "
                         f"({spec.description}, {spec.rule}); kreeg {value!r}")
    return value


def _text(spec: SettingSpec, value: object) -> str | None:
    if value is None:  # unset: the page says "de gemeente"
        return None
    if not isinstance(value, str) or not LINE.fullmatch(value.strip()) or (
            spec.pattern is not None and not re.fullmatch(spec.pattern, value.strip(),
                                                           re.ASCII)):
        raise InputError(f"{spec.key} is één regel tekst van hoogstens 200 tekens "
                         f"({spec.description}); kreeg {value!r}")
    return value.strip()


def _list(spec: SettingSpec, value: object, item: re.Pattern[str], what: str) -> list[str]:
    """A list (never a single string) of strings each matching ``item``."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
            isinstance(v, str) and item.fullmatch(v) for v in value):
        raise InputError(f"{spec.key} is {what}; kreeg {value!r}")
    return list(value)


def default(key: str) -> Any:
    spec = SETTINGS.get(key)
    return spec.default if spec is not None else None


def _per_party(spec: SettingSpec, value: object) -> dict[str, str]:
    what = "een https-URL" if spec.urls else (
        "een partijsoort (<plugin>.<soort>)" if spec.kinds else "een naam (één regel tekst)")
    pattern = URL if spec.urls else KIND if spec.kinds else None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and LINE.fullmatch(k)
            and (pattern.fullmatch(v) if pattern else LINE.fullmatch(v.strip()))
            for k, v in value.items()):
        raise InputError(f"{spec.key} is per partij (haar kenmerk) {what}, bijvoorbeeld "
                         f"{{kredietbank: ...}} ({spec.description}); kreeg {value!r}")
    return {k: v.strip() for k, v in value.items()}
