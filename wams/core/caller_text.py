"""What a text a caller sends must be, whichever door it came through (the converter of
:mod:`wams.core.intake`, the engine's check of who acts, the access request, the reports).
"""

from __future__ import annotations

import re

from wams.core.errors import InputError, Invalid

#: half of a UTF-16 pair on its own: a JSON "\ud800" or a badly decoded file gives one; it is
#: no Unicode character, so it cannot be stored, sealed or shown
_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_text(value: str) -> str:
    """``value`` if it is Unicode text throughout, else :class:`Invalid` naming the position."""
    bad = _SURROGATE.search(value)
    if bad is not None:
        raise Invalid(f"tekst met een ongeldig teken op positie {bad.start() + 1} (U+"
                      f"{ord(bad.group()):04X}, de helft van een UTF-16-paar): geen Unicode; "
                      "lever de tekst als UTF-8 aan")
    return value


def caller_text(value: str, key: str) -> str:
    """A text the caller gives beside a command (who acts, an idempotency key, a read's
    toelichting, an access request's reference): Unicode, else :class:`InputError` naming
    ``key``, before anything is decided or stored."""
    try:
        return unicode_text(value)
    except Invalid as exc:
        raise InputError(f"{key}: {exc}") from None


def actor_name(actor: object, missing: str) -> str:
    """R36: who acts is named, by a non-empty Unicode text; else :class:`InputError`
    (``missing`` says what to name when it is empty)."""
    if not isinstance(actor, str) or not actor.strip():
        raise InputError(missing)
    return caller_text(actor, "actor")


#: eight or more digits, perhaps separated (a BSN, a date written without dashes, a phone
#: number), and a date written with them
_DIGITS = re.compile(r"\d(?:[ ./-]?\d){7,}")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


def opaque_ref(ref: str) -> str:
    """A person's ref is the caller's handle, stored in clear in the history and the log, which
    outlive every destruction (R33): one that looks like a full name, a BSN or a date is
    refused (the value is not repeated in the message). A single word remains the caller's
    choice (the scenario library names persons by a first name; use an opaque id such as
    ``client-1`` in production)."""
    why = ("bevat een spatie (een volledige naam?)" if any(ch.isspace() for ch in ref.strip())
           else "bevat acht of meer cijfers (een BSN of een datum?)" if _DIGITS.search(ref)
           else "ziet eruit als een datum" if _DATE.search(ref) else None)
    if why is not None:
        raise Invalid(f"de ref van een persoon {why}: een ref blijft na vernietiging leesbaar "
                      "in de historie en het log; gebruik een kenmerk zonder naam, BSN of "
                      "datum (bijvoorbeeld 'client-1')")
    return ref
