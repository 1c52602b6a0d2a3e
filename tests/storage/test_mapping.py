"""The generic row mapper: plain fields by name, enums as values, special fields as given."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from storage.mapping import row_values, to_entity


class Colour(enum.StrEnum):
    RED = "red"


@dataclass(slots=True)
class Thing:
    name: str
    colour: Colour | None = None
    tags: tuple[str, ...] = ()
    id: int | None = None


class Deferred:
    """A row whose ``tags`` column must not be read."""

    name = "box"
    colour = "red"
    id = 7

    @property
    def tags(self) -> list[str]:
        raise AssertionError("a special field's row attribute was read")


def test_to_entity_reads_each_field_from_the_row_attribute_of_its_name() -> None:
    row = SimpleNamespace(name="box", colour=None, tags=(), id=3, extra="ignored")
    assert to_entity(row, Thing) == Thing(name="box", id=3)


def test_to_entity_takes_special_fields_as_given_without_reading_the_row() -> None:
    thing = to_entity(Deferred(), Thing, colour=Colour.RED, tags=("a",))
    assert thing == Thing(name="box", colour=Colour.RED, tags=("a",), id=7)
    assert type(thing.colour) is Colour


def test_to_entity_refuses_a_special_that_is_no_field() -> None:
    with pytest.raises(TypeError):
        to_entity(SimpleNamespace(name="box", colour=None, tags=(), id=1), Thing, nope=1)


def test_row_values_gives_every_field_and_an_enum_as_its_value() -> None:
    values = row_values(Thing(name="box", colour=Colour.RED, tags=("a",), id=3))
    assert values == {"name": "box", "colour": "red", "tags": ("a",), "id": 3}
    assert type(values["colour"]) is str


def test_row_values_leaves_out_the_excluded_and_adds_the_special() -> None:
    thing = Thing(name="box", colour=None, tags=("a", "b"))
    values = row_values(thing, exclude=("id", "tags"), tags_json=["a", "b"], name="lid")
    assert values == {"name": "lid", "colour": None, "tags_json": ["a", "b"]}


def test_row_values_refuses_to_exclude_what_is_no_field() -> None:
    with pytest.raises(ValueError, match="nope"):
        row_values(Thing(name="box"), exclude=("id", "nope"))
