"""Municipal settings: the choices the law leaves to each municipality, in one place.

Both the API (``Wams.set_setting``) and scenario files (``instellingen``) go through
:func:`check`, so a value the engine would refuse is already refused when a scenario loads.
"""

from __future__ import annotations

import attrs

from wams.core.errors import InputError


@attrs.frozen
class SettingSpec:
    key: str
    description: str
    default: int
    minimum: int
    rule: str


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    # R33: the bill sets no period; "na een beperkte tijd" (MvT §3.1.4) is a municipal choice.
    SettingSpec("bewaartermijn_maanden", "bewaartermijn van het coördinatiedossier na "
                "afsluiting, in maanden", 12, 0, "R33"),
    # R27: the coordinator reports "periodiek" (MvT §3.3.3); how often is a municipal choice.
    SettingSpec("voortgang_interval_maanden", "hoe vaak de coördinator het college over de "
                "voortgang informeert, in maanden", 3, 1, "R27"),
)}


def check(key: str, value: object) -> int:
    """The value to store, or an InputError saying what is wrong and what is allowed."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise InputError(f"onbekende instelling '{key}'; bekend zijn: "
                         + ", ".join(sorted(SETTINGS)))
    if isinstance(value, bool) or not isinstance(value, int) or value < spec.minimum:
        raise InputError(f"{key} is een heel aantal maanden van {spec.minimum} of meer "
                         f"({spec.description}, {spec.rule}); kreeg {value!r}")
    return value


def default(key: str) -> int | None:
    spec = SETTINGS.get(key)
    return spec.default if spec is not None else None
