"""The tables, typed and declarative, separate from the attrs domain records.

Every row carries its municipality (``gemeente``, R38) and every query is scoped by it in the
repository. Personal content lives only sealed (``wams.core.privacy.sealing``) under the data
key of its case, melding or betrokkenheid: ``cases.state``, ``history.content``,
``involvements.content``, ``meldingen.content``, ``melders.naam`` (the reporter, kept apart,
R34), ``actors.naam`` (who acted; the log names actors by pseudonym) and the free-text
``processing_log.purpose``. The data keys are stored wrapped by a key
that is not in the database; destruction deletes the data key, so every copy of the content
(WAL, old tuples, backups) is unreadable, and the history keeps the digests of the ciphertext,
so the hash chain stays verifiable (R33).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Every constraint gets a predictable name, so a later migration can drop or alter it by name
# on PostgreSQL (which would otherwise invent one) and SQLite batch mode can recreate it.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: the history entries that projected a row other than a case (a setting, a subscription)
PROJECTING = "case_id IS NULL AND projection_ref IS NOT NULL"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CaseRow(Base):
    """The current projection of a case (one row per case); the history is the record."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    route: Mapped[str] = mapped_column(String(1), nullable=False)
    wet: Mapped[str | None] = mapped_column(String(40))
    phase: Mapped[str] = mapped_column(String(20), nullable=False)
    # Optimistic concurrency: every accepted step bumps it; a writer holding an older
    # version loses (ConflictError), nothing is silently overwritten.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    opened_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    destroyed_on: Mapped[dt.date | None] = mapped_column(Date)
    # The data key the case's content is sealed under (deleted at destruction).
    data_key: Mapped[str | None] = mapped_column(String(32))
    # The attrs projection as JSON, sealed; after destruction a content-free JSON in clear.
    state: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index("ix_cases_gemeente_phase", "gemeente", "phase"),
        Index("ix_cases_gemeente_closed", "gemeente", "closed_on"),
        # ``case list`` pages in this order (keyset pagination, speed goal B5).
        Index("ix_cases_gemeente_opened", "gemeente", "opened_on", "id"),
    )


class HistoryRow(Base):
    """Append-only history of every step, allowed or refused, chained per municipality with
    a keyed hash (chain.py says what an entry commits to).

    ``entry_hash`` commits to ``prev_hash`` and to ``content_digest``, the digest of the
    *sealed* content (ciphertext), so destruction can delete the key and remove the content
    without breaking the chain. ``content_salt`` is NULL since the content is sealed (the
    nonce makes every ciphertext unique; a salt only protected plain content). It also
    commits to the rows the step wrote (``writes_digest``) and to the projection it left
    (``projection_*``).
    """

    __tablename__ = "history"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    chain_n: Mapped[int] = mapped_column(Integer, nullable=False)
    case_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    step: Mapped[str] = mapped_column(String(40), nullable=False)
    allowed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    trace_id: Mapped[str] = mapped_column(String(32), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[str | None] = mapped_column(Text)
    content_salt: Mapped[str | None] = mapped_column(String(32))
    content_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The id of the chain key in the key store (NULL: an entry from before the keyed chain,
    # which the audit does not trust).
    key_id: Mapped[str | None] = mapped_column(String(100))
    writes_digest: Mapped[str | None] = mapped_column(String(64))
    # "case" (the case named by case_id) or "setting:<key>"; NULL when nothing was projected.
    projection_ref: Mapped[str | None] = mapped_column(String(80))
    projection_digest: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("gemeente", "chain_n", name="uq_history_chain"),
        UniqueConstraint("gemeente", "idempotency_key", name="uq_history_idempotency"),
        Index("ix_history_case", "gemeente", "case_id"),
        # The latest entry projecting a setting or a subscription (a deliverer asks per
        # round, :func:`wams.core.storage.subscriptions.vouched`): partial, so the case
        # entries (nearly all) do not pay for it.
        Index("ix_history_projection", "gemeente", "projection_ref", "chain_n",
              sqlite_where=text(PROJECTING), postgresql_where=text(PROJECTING)),
    )


class ChainHeadRow(Base):
    """The last entry of each municipality's chain: the lock point for appends."""

    __tablename__ = "chain_heads"
    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    chain_n: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class ProcessingRow(Base):
    """One processing of one person's data (R36), after the Logboek Dataverwerkingen fields.

    ``subject`` is a keyed pseudonym per municipality, never a BSN or a name.
    """

    __tablename__ = "processing_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    trace_id: Mapped[str] = mapped_column(String(32), nullable=False)
    span_id: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    operation: Mapped[str] = mapped_column(String(20), nullable=False)
    start_time: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    end_time: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    status_code: Mapped[str] = mapped_column(String(24), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(200), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(40), nullable=False)
    case_id: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    legal_basis: Mapped[str] = mapped_column(String(200), nullable=False)
    source: Mapped[str | None] = mapped_column(String(100))
    recipient: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    # The calling action at another organisation (its W3C traceparent), JSON or NULL.
    foreign_operation: Mapped[str | None] = mapped_column(Text)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # A person's records in order (the access report, R36): the sort is in the index.
        Index("ix_log_subject", "gemeente", "subject", "start_time", "id"),
        Index("ix_log_case", "gemeente", "case_id"),
        Index("ix_log_chain", "gemeente", "chain_n"),
        # The read API's traceId filter (LDV lezen): one trace's records.
        Index("ix_log_trace", "gemeente", "trace_id"),
    )


class InvolvementRow(Base):
    """A party already involved with a person (the precondition of its verzoek, R06)."""

    __tablename__ = "involvements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    party_ref: Mapped[str] = mapped_column(String(100), nullable=False)
    party_soort: Mapped[str] = mapped_column(String(100), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    data_key: Mapped[str] = mapped_column(String(32), nullable=False)
    # Sealed JSON: the person (identity) and the service.
    content: Mapped[str] = mapped_column(Text, nullable=False)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_involvement", "gemeente", "party_ref", "subject"),)


class MeldingRow(Base):
    """A report at the meldpunt (R34). It never opens a case (R35)."""

    __tablename__ = "meldingen"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    melder_soort: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    data_key: Mapped[str] = mapped_column(String(32), nullable=False)
    # Sealed JSON: the person the worry is about (identity) and the worry.
    content: Mapped[str] = mapped_column(Text, nullable=False)

    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)

    # The access report finds a person's meldingen without scanning them all (R36, B5).
    __table_args__ = (Index("ix_meldingen_subject", "gemeente", "subject"),)


class MelderRow(Base):
    """The reporter's identity, stored apart from the report and never shown to parties or
    written to a log record (R34: the reporter is protected)."""

    __tablename__ = "melders"
    melding_id: Mapped[int] = mapped_column(ForeignKey("meldingen.id"), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    # Sealed under the melding's data key.
    naam: Mapped[str | None] = mapped_column(Text)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)


class ActorRow(Base):
    """The register of who acted (R36: who did it), kept apart from what they did.

    The history, the processing log and the proofs of destruction outlive every case (the
    chain covers them), so they name an actor only by a keyed pseudonym (HMAC under the
    municipality's pseudonym key: a copy of the database alone does not say who acted). The
    name lives here, sealed under a data key of its own (``naam``), so the log still says who
    acted while the entry lives, and erasing one actor's entry (``Wams.erase_actor``)
    destroys that key: every copy of the name becomes unreadable once its KEK period is
    retired, while the entries keep the pseudonym and verify."""

    __tablename__ = "actors"
    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(80), primary_key=True)
    data_key: Mapped[str] = mapped_column(String(32), nullable=False)
    naam: Mapped[str] = mapped_column(Text, nullable=False)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)


class SubscriptionRow(Base):
    """A webhook subscription of one municipality, with the history position (``chain_n``) up
    to which its events were delivered (see :mod:`wams.core.storage.subscriptions`)."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    delivered_n: Mapped[int] = mapped_column(Integer, nullable=False)
    # Which steps it wants (JSON list of step names; NULL: every step).
    steps: Mapped[str | None] = mapped_column(Text)
    # Its signing secret is derived from the municipality's key ``secret_key_id`` in the key
    # store and ``secret_version`` (never stored); a rotation counts the version up and the
    # previous secret still signs until a day after ``rotated_at``.
    secret_key_id: Mapped[str | None] = mapped_column(String(32))
    secret_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    rotated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_subscriptions_gemeente", "gemeente"),)


class SettingRow(Base):
    """Municipal choices, e.g. the bewaartermijn (R33: not set by the law)."""

    __tablename__ = "settings"
    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class DataKeyRow(Base):
    """The data key of one case, melding or betrokkenheid, wrapped (AES-GCM) by the
    municipality's key-encryption key ``kek_id``, which lives in the key store, not here.
    Deleting the row is the destruction of everything sealed under it (crypto-shredding)."""

    __tablename__ = "data_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    kek_id: Mapped[str] = mapped_column(String(64), nullable=False)
    wrapped: Mapped[str] = mapped_column(Text, nullable=False)
    # The destruction period whose KEK wraps it (wams.core.privacy.periods): "open:YYYY-MM"
    # while the record is open, "YYYY-MM" once its bewaartermijn ends in that month; NULL:
    # wrapped before schema 0010 by the municipality's single KEK.
    period: Mapped[str | None] = mapped_column(String(16))
    # The history entry that committed the key's creation (its write set, chain.py): a key
    # deleted around wams breaks it; destruction leaves a ``destroyed_rows`` record instead.
    chain_n: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_data_keys_kek", "gemeente", "kek_id"),)


class DestructionProofRow(Base):
    """Proof of destruction (R33): what, when, under which rule, by whom — no content."""

    __tablename__ = "destruction_proofs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    case_id: Mapped[str] = mapped_column(String(32), nullable=False)
    destroyed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    closed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    bewaartermijn_maanden: Mapped[int] = mapped_column(Integer, nullable=False)
    rule: Mapped[str] = mapped_column(String(200), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    history_entries: Mapped[int] = mapped_column(Integer, nullable=False)
    persons: Mapped[int] = mapped_column(Integer, nullable=False)
    trace_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)
    # The KEK that wrapped the destroyed data key and its period: retired by the retention
    # run once the period is complete (wams.core.privacy.periods); NULL before schema 0010.
    kek_period: Mapped[str | None] = mapped_column(String(16))
    kek_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_proof_case", "gemeente", "case_id"),)


class DestroyedRowRow(Base):
    """What destruction removed of a row the chain covers (R33, R34): the row digest the
    entry ``of_chain_n`` committed to (``row_table`` the table). The entry's write set stays
    verifiable without the row, and a row deleted without such a record is tampering.
    ``chain_n`` is the destroying entry, which commits to this record like to any covered
    row."""

    __tablename__ = "destroyed_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    of_chain_n: Mapped[int] = mapped_column(Integer, nullable=False)
    row_table: Mapped[str] = mapped_column(String(40), nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    chain_n: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_destroyed_of", "gemeente", "of_chain_n"),)


class RegisterVersionRow(Base):
    """One version of one entry of a municipality's register of processing activities
    (AVG art. 30). A new version is recorded whenever the entry's content changes (a plugin
    upgrade, another bewaartermijn): ``digest`` is the hash of that content, ``valid_from``
    the moment it took effect. Log records point at the version in force (Logboek: a changed
    processing activity gets a new id)."""

    __tablename__ = "register_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeente: Mapped[str] = mapped_column(String(4), nullable=False)
    activity: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    # The entry as registered (JSON, no personal data), so earlier versions stay readable.
    content: Mapped[str] = mapped_column(Text, nullable=False)
    # The history entry that committed this row (its write set, chain.py).
    chain_n: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("gemeente", "activity", "version", name="uq_register_version"),
    )
