"""Persistence: SQLModel tables, engine, repositories, unit of work, dialog storage, migrations."""
