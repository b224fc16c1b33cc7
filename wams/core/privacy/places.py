"""Where a sealed value lives: the associated data that binds it to its place.

A value is sealed (AES-GCM, :mod:`wams.core.privacy.sealing`) with associated data naming
its data key, municipality, table, row and column, and for a case's state the version of the
row. Authentication fails when the value is read anywhere else, so whoever can write the
database but holds no key cannot:

- move a sealed value to another row or column of the same record (the content of one history
  entry onto another, a log row's purpose onto another log row, a melding's content into its
  melder row): the row or column differs;
- restore an older, once genuine state of a case over its current row (an objection reset): it
  was sealed for an older version of the row;
- move a record's value together with its data key to another record: the row differs.

A case row restored as a whole (state *and* version) still authenticates; the case's latest
history entry commits to the row (keyed, :mod:`wams.core.storage.chain`), and the engine
compares the two before it trusts a row it did not write itself (``CaseCache.load``).

Each row is named by what is known when it is written (the chain number an entry gets, the
span id of a log record, the melding's id for its melder; for a betrokkenheid and a melding,
whose ids are given by the database on insert, the columns that say what they are about).
Every place is built here and nowhere else: the engine when it seals and reads, the
migration that re-sealed the values of older databases (0011), and the tests that play the
DBA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

#: The version of the associated data's layout (a change means a re-seal migration).
LAYOUT = "wams-plaats/1"
SEP = "\x1f"


@attrs.frozen
class Place:
    """The place of one sealed value: ``row`` is the row's identity within ``table``;
    ``version`` the version of the row, where an older value could be replayed."""

    gemeente: str
    table: str
    row: str
    column: str
    version: int | None = None

    def aad(self, data_key_id: str) -> bytes:
        """The associated data of a value sealed under ``data_key_id`` here."""
        return SEP.join((LAYOUT, data_key_id, self.gemeente, self.table, self.row,
                         self.column, "" if self.version is None else str(self.version)
                         )).encode()


def _when(at: dt.datetime) -> str:
    return at.isoformat(timespec="microseconds")


def case_state(gemeente: str, case_id: str, version: int) -> Place:
    """A case's projection: a state sealed for one version is refused at any other."""
    return Place(gemeente, "cases", case_id, "state", version)


def history_content(gemeente: str, chain_n: int) -> Place:
    """The content of a history entry, by its number in its municipality's chain."""
    return Place(gemeente, "history", str(chain_n), "content")


def log_purpose(gemeente: str, span_id: str) -> Place:
    """The free-text purpose of a processing-log record, by the record's own span."""
    return Place(gemeente, "processing_log", span_id, "purpose")


def involvement_content(gemeente: str, party_soort: str, party_ref: str, subject: str,
                        at: dt.datetime) -> Place:
    """A betrokkenheid: which party, whom, when."""
    return Place(gemeente, "involvements", SEP.join((party_soort, party_ref, subject,
                                                     _when(at))), "content")


def melding_content(gemeente: str, subject: str, at: dt.datetime) -> Place:
    """A melding: whom it is about and when it was made (its id is the database's)."""
    return Place(gemeente, "meldingen", SEP.join((subject, _when(at))), "content")


def melder_naam(gemeente: str, melding_id: int) -> Place:
    """The reporter of a melding, by the melding's id."""
    return Place(gemeente, "melders", str(melding_id), "naam")


def actor_naam(gemeente: str, pseudonym: str) -> Place:
    """Who acted, in the register of actors, by the pseudonym the log names them by."""
    return Place(gemeente, "actors", pseudonym, "naam")


#: table → (sealed column, the place of a row of it as the database returns it)
SEALED_COLUMNS: dict[str, tuple[str, Callable[[Mapping[str, Any]], Place]]] = {
    "cases": ("state", lambda r: case_state(r["gemeente"], r["id"], r["version"])),
    "history": ("content", lambda r: history_content(r["gemeente"], r["chain_n"])),
    "processing_log": ("purpose", lambda r: log_purpose(r["gemeente"], r["span_id"])),
    "involvements": ("content", lambda r: involvement_content(
        r["gemeente"], r["party_soort"], r["party_ref"], r["subject"], r["at"])),
    "meldingen": ("content", lambda r: melding_content(r["gemeente"], r["subject"],
                                                       r["at"])),
    "melders": ("naam", lambda r: melder_naam(r["gemeente"], r["melding_id"])),
    "actors": ("naam", lambda r: actor_naam(r["gemeente"], r["pseudonym"])),
}


def place_of(table: str, row: Mapping[str, Any]) -> Place:
    """The place of the sealed value of ``row`` of ``table`` (a whole row, as read)."""
    return SEALED_COLUMNS[table][1](row)
