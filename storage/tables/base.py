"""The metadata's naming convention: ``storage.tables`` imports this before any table module."""

from __future__ import annotations

from sqlmodel import SQLModel

#: Constraint names that Alembic (and SQLite batch mode) can address later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
#: The tables are read and written through SQLAlchemy only: a row is never validated by pydantic
#: (SQLModel's table classes skip validation in ``__init__``, and the ORM builds loaded rows
#: without it). So their pydantic validators and serialisers are built on first use, if ever,
#: instead of for all 33 tables at import (about half a MiB of the idle bot's memory, issue 17;
#: tests/test_startup_imports.py).
SQLModel.model_config["defer_build"] = True
