"""Buttons nobody of ours made: numbers out of any id's range, refusals answered once, and one
refusal for a bilag whether or not it exists (issue 16, item 2). Through the real dispatcher."""

from __future__ import annotations

import inspect
import typing

import pytest
from aiogram.filters.callback_data import CallbackData

import handlers
from handlers import callbacks
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
from tests.support.recording import ChatHarness, Sent, TgUser

STRANGER = TgUser(id=999_001, first_name="Fremmed")
STALE = "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."


def answers(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "answerCallbackQuery"]


async def press(chat: ChatHarness, user: TgUser, data: str) -> list[Sent]:
    [shown] = [c for c in await chat.send(user, "/hjaelp") if c.method == "sendMessage"][:1]
    return await chat.press(user, shown, data)


@pytest.mark.parametrize(
    "data",
    [
        "p:open:99999999999999999999:1",
        "p:open:2147483648:0",
        "b:get:9223372036854775808",
        "m:agenda:-5",
        "mm:pick:99999999999:0:0:0",
    ],
)
async def test_a_number_beyond_any_id_is_a_stale_button_not_an_error(
    beu_committee: ChatHarness, data: str
) -> None:
    calls = await press(beu_committee, SECRETARY, data)
    [answer] = answers(calls)
    assert answer.text == STALE and answer.show_alert
    assert [c for c in calls if c.method == "sendMessage"] == []  # no generic error message


@pytest.mark.parametrize(
    ("user", "data"),
    [(MEMBER, "mm:pick:{id}:0:0:0"), (MEMBER, "m:nysag:{id}"), (TOVHOLDER, "mm:pick:{id}:0:0:0")],
)
async def test_a_refused_button_is_answered_once_with_the_refusal(
    beu_committee: ChatHarness, user: TgUser, data: str
) -> None:
    [created] = await beu_committee.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00 Rådhuset")
    moede_id = created.button("Se dagsorden").split(":")[-1]
    calls = await press(beu_committee, user, data.format(id=moede_id))
    [answer] = answers(calls)  # a second answer would fail at Telegram: the person sees nothing
    said = [answer.text or ""] + [c.text or "" for c in calls if c.method == "sendMessage"]
    assert any("sekretær" in text or "medlem" in text for text in said), said


async def test_a_stranger_learns_nothing_about_which_bilag_exist(
    beu_committee: ChatHarness,
) -> None:
    missing = answers(await press(beu_committee, STRANGER, "b:get:424242"))
    existing = answers(await press(beu_committee, STRANGER, "b:get:1"))
    assert [a.text for a in missing] == [a.text for a in existing]


def _callback_classes() -> list[type[CallbackData]]:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(handlers.__path__):
        importlib.import_module(f"handlers.{module.name}")
    found: list[type[CallbackData]] = []
    todo = list(CallbackData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("handlers"):
            found.append(cls)
    return found


def test_every_number_in_every_button_is_bounded() -> None:
    """A new CallbackData class with a bare ``int`` would let a forged number reach the database."""
    classes = _callback_classes()
    assert len(classes) >= 15
    for cls in classes:
        for name, field in cls.model_fields.items():
            if field.annotation is int:
                assert any(getattr(m, "le", None) == 2**31 - 1 for m in field.metadata), (
                    f"{cls.__name__}.{name} is a bare int: use handlers.callbacks.DbInt"
                )
    assert typing.get_origin(callbacks.DbInt) is typing.Annotated
    assert inspect.isclass(callbacks.PunktCb)
