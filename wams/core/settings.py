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
    ``codes=True`` a list of codes (lower-case words with underscores)."""

    key: str
    description: str
    default: Any
    minimum: int
    rule: str
    codes: bool = False


INDICATOREN_EXTRA = "indicatoren_extra"
CODE = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)


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
)}


def check(key: str, value: object) -> Any:
    """The value to store, or an InputError saying what is wrong and what is allowed."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise InputError(f"onbekende instelling '{key}'; bekend zijn: "
                         + ", ".join(sorted(SETTINGS)))
    if spec.codes:
        if (isinstance(value, str) or not isinstance(value, (list, tuple))
                or not all(isinstance(v, str) and CODE.fullmatch(v) for v in value)):
            raise InputError(f"{key} is een lijst codes (kleine letters en _), bijvoorbeeld "
                             f"[schooluitval] ({spec.description}, {spec.rule}); kreeg {value!r}")
        return list(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < spec.minimum:
        raise InputError(f"{key} is een heel aantal maanden van {spec.minimum} of meer "
                         f"({spec.description}, {spec.rule}); kreeg {value!r}")
    return value


def default(key: str) -> Any:
    spec = SETTINGS.get(key)
    return spec.default if spec is not None else None
