"""Persistence: typed tables, the database connection, the repository and the hash chain."""
