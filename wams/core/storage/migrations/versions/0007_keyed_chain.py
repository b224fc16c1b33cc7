"""The keyed chain: entries carry their key id and commit to the rows they wrote and the
projection they left; every covered row names the entry that committed it; what destruction
removes of a covered row is recorded in ``destroyed_rows``.

Revision ID: 0007
Revises: 0006

Data (a database written by wams before this revision): each municipality's chain is first
verified as it stands (plain SHA-256, as 0006, the sealing, left it; a broken chain is
refused, never laundered), then every entry is re-hashed with the municipality's chain key
from the key store (``config.attributes["key_store"]``, as ``wams db upgrade`` passes it).
The rows the chain did
not cover yet are adopted by entries appended for the purpose (step ``sleutelketen``): one per
case and per setting (committing to its current row) and one for every log row, involvement,
melding, melder, proof and register version (stamped with that entry's number). The adoption
vouches for the rows as they were at the upgrade, not for how they came to be: anchor right
after upgrading (docs/audit.md).

Like 0006 this revision imports wams code (the chain and its coverage): stable formats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from wams.core.errors import DatabaseError

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COVERED = ("processing_log", "involvements", "meldingen", "melders", "destruction_proofs",
           "register_versions")


def upgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("key_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("writes_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("projection_ref", sa.String(80), nullable=True))
        batch.add_column(sa.Column("projection_digest", sa.String(64), nullable=True))
    for table in COVERED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("chain_n", sa.Integer(), nullable=True))
    # The audit streams the log in chain order.
    op.create_index("ix_log_chain", "processing_log", ["gemeente", "chain_n"])
    op.create_table(
        "destroyed_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("of_chain_n", sa.Integer(), nullable=False),
        sa.Column("row_table", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("chain_n", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_destroyed_rows"),
    )
    op.create_index("ix_destroyed_of", "destroyed_rows", ["gemeente", "of_chain_n"])
    _rekey(op.get_bind())


def _plain(r: Any) -> str:
    """The entry hash as 0006 (sealing) left it (plain SHA-256)."""
    at = r.at if isinstance(r.at, dt.datetime) else dt.datetime.fromisoformat(r.at)
    parts = (r.prev_hash, r.gemeente, str(r.chain_n), r.case_id or "",
             at.isoformat(timespec="microseconds"), r.step, "1" if r.allowed else "0", r.code,
             r.actor, r.trace_id, r.idempotency_key or "", r.decision, r.content_digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _rekey(conn: sa.Connection) -> None:
    gemeenten = [r[0] for r in conn.execute(sa.text("SELECT gemeente FROM chain_heads "
                                                    "ORDER BY gemeente"))]
    if not gemeenten:
        return
    key_store = context.config.attributes.get("key_store")
    if key_store is None:
        raise DatabaseError("revisie 0007 sleutelt de hashketen met de ketensleutel uit de "
                           "sleutelopslag; voer 'wams db upgrade' uit (met WAMS_KEY_FILE)")
    from wams.core.storage import chain
    from wams.core.storage.coverage import (
        APPEND_ONLY,
        CASE_COLUMNS,
        SETTING_COLUMNS,
        SETTING_PREFIX,
        ChainKeys,
    )
    from wams.core.storage.repository import Store
    from wams.core.storage.tables import Base

    # The models' column types, so values read back are spelled as the audit reads them.
    tables = Base.metadata.tables

    keys = ChainKeys(key_store)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for g in gemeenten:
        key_id, key = keys.current(g)
        prev = chain.GENESIS
        rows = conn.execute(sa.text("SELECT * FROM history WHERE gemeente = :g ORDER BY "
                                    "chain_n"), {"g": g}).all()
        for r in rows:
            if r.prev_hash != prev or _plain(r) != r.entry_hash:
                raise DatabaseError(f"gemeente {g}, regel {r.chain_n}: de hashketen klopt niet; "
                                   "revisie 0007 sleutelt geen verbroken keten (wams audit "
                                   "verify met de vorige versie zegt wat er mis is)")
            prev = r.entry_hash
        prev = chain.GENESIS
        for r in rows:
            h = chain.entry_hash(
                key, key_id=key_id, prev_hash=prev, gemeente=g, chain_n=r.chain_n,
                case_id=r.case_id, at=r.at if isinstance(r.at, dt.datetime)
                else dt.datetime.fromisoformat(r.at), step=r.step, allowed=bool(r.allowed),
                code=r.code, actor=r.actor, trace_id=r.trace_id,
                idempotency_key=r.idempotency_key, decision=r.decision,
                content_digest=r.content_digest, writes_digest=chain.EMPTY_DIGEST,
                projection_ref=None, projection_digest=None)
            conn.execute(sa.text("UPDATE history SET prev_hash = :p, entry_hash = :h, key_id = "
                                 ":k, writes_digest = :w WHERE seq = :s"),
                         {"p": prev, "h": h, "k": key_id, "w": chain.EMPTY_DIGEST, "s": r.seq})
            prev = h
        conn.execute(sa.text("UPDATE chain_heads SET entry_hash = :h WHERE gemeente = :g"),
                     {"h": prev, "g": g})
        store = Store(conn, lock_heads=False, keys=keys)

        def adopt(store: Store = store) -> None:
            store.seal(at=now, actor="wams db upgrade", trace_id=uuid.uuid4().hex,
                       step="sleutelketen")

        cases, settings = tables["cases"], tables["settings"]
        for case in conn.execute(sa.select(cases).where(cases.c.gemeente == g)
                                 .order_by(cases.c.id)):
            store.project(g, chain.CASE, dict(case._mapping), CASE_COLUMNS)
            adopt()
        for setting in conn.execute(sa.select(settings).where(settings.c.gemeente == g)
                                    .order_by(settings.c.key)):
            values = dict(setting._mapping)
            store.project(g, SETTING_PREFIX + values["key"], values, SETTING_COLUMNS)
            adopt()
        n = store.stamp(g)
        for table in COVERED:  # the tables this revision stamps (later ones adopt their own)
            t = tables[table]
            # The columns of this revision only (a later one may add some to the model).
            for row in conn.execute(sa.select(*(t.c[c] for c in APPEND_ONLY[table]))
                                    .where(t.c.gemeente == g, t.c.chain_n.is_(None))).all():
                store.covered(table, {**row._mapping, "chain_n": n})
            conn.execute(sa.text(f"UPDATE {table} SET chain_n = :n WHERE gemeente = :g AND "
                                 "chain_n IS NULL"), {"n": n, "g": g})
        adopt()


def downgrade() -> None:
    op.drop_index("ix_destroyed_of", table_name="destroyed_rows")
    op.drop_table("destroyed_rows")
    op.drop_index("ix_log_chain", table_name="processing_log")
    for table in COVERED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("chain_n")
    with op.batch_alter_table("history") as batch:
        for column in ("projection_digest", "projection_ref", "writes_digest", "key_id"):
            batch.drop_column(column)
