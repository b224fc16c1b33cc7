"""Alembic migrations of the wams schema, shipped inside the package (run by ``migrate.py``)."""
