"""Persistence: typed tables, the database connection, the repository, the hash chain, the
audit of that chain, and the alembic migrations (configured in code).

Every query is scoped by municipality (R38) and none commits: whoever opened the transaction
(the engine's unit of work) does.

May import: the pure core (errors, model, clock) and SQLAlchemy/alembic. Never the privacy,
engine or scenario rooms: they build on storage, not the other way round.
"""
