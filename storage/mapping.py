"""Rows to domain dataclasses and back, field by field: the one mapper of the plain fields.

``to_entity`` builds a dataclass from the row's attributes of the same names; ``row_values``
gives a dataclass's fields as column values (an enum as its value). A field stored otherwise
(JSON, renamed or split into several columns, an enum read back, a deferred column) is written
by hand at the repository and passed in as a keyword, which is taken as it is.
"""

from __future__ import annotations

import enum
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

E = TypeVar("E", bound="DataclassInstance")


@cache
def _field_names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _kept(cls: type[DataclassInstance], exclude: tuple[str, ...]) -> tuple[str, ...]:
    names = _field_names(cls)
    unknown = set(exclude).difference(names)
    if unknown:
        raise ValueError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return tuple(name for name in names if name not in exclude)


def to_entity(row: object, cls: type[E], /, **special: Any) -> E:
    """A ``cls`` whose fields are ``row``'s attributes of the same names, except those given in
    ``special`` (their row attributes are not read: a deferred column stays unloaded)."""
    plain = {name: getattr(row, name) for name in _field_names(cls) if name not in special}
    return cls(**plain, **special)


def row_values(
    entity: DataclassInstance, /, *, exclude: tuple[str, ...] = (), **special: Any
) -> dict[str, Any]:
    """The column values of ``entity``: every field not in ``exclude`` under its own name (an
    enum as its value), then ``special`` (columns named or stored otherwise), which wins."""
    values = {name: _column(getattr(entity, name)) for name in _kept(type(entity), exclude)}
    values.update(special)
    return values


def _column(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value
