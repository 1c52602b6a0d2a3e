"""The router gates: a router is skipped only when none of its handlers could take the update,
and a filter moved out of aiogram's worker thread answers as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram import F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Document, Message, User

from bot.routing import Routing, command_name, inline_pure_filters, router_gate
from handlers.callbacks import PunktCb


class Flow(StatesGroup):
    title = State()


async def noop() -> None:
    return None


def message(text: str | None = None, document: bool = False, caption: str | None = None) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 1, 1, tzinfo=UTC),
        chat=Chat(id=1, type="private"),
        from_user=User(id=1, is_bot=False, first_name="A"),
        text=text,
        caption=caption,
        document=Document(file_id="f", file_unique_id="u") if document else None,
    )


def routing(
    command: str | None = None,
    prefix: str | None = None,
    state: str | None = None,
    document: bool = False,
) -> Routing:
    return Routing(command=command, prefix=prefix, state=state, document=document)


def test_the_command_name_is_read_as_the_command_filter_reads_it() -> None:
    assert command_name(message("/Dagsorden@udvalgsbot BEU pdf")) == "dagsorden"
    assert command_name(message("/start abc")) == "start"
    assert command_name(message(caption="/status", document=True)) == "status"
    assert command_name(message("dagsorden")) is None
    assert command_name(message(document=True)) is None


def test_a_router_of_commands_takes_only_its_commands() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    router.message.register(noop, Command("dagsorden", "Agenda"))
    router.message.register(noop, CommandStart())
    gate = router_gate(router, "message")
    assert gate.admits(routing("dagsorden")) and gate.admits(routing("agenda"))
    assert gate.admits(routing("start"))
    assert not gate.admits(routing("moeder")) and not gate.admits(routing())
    # No callback handlers: no button press enters it.
    assert not router_gate(router, "callback_query").admits(routing(prefix="p"))


def test_dialog_states_buttons_and_documents_open_the_gate() -> None:
    router = Router()
    router.message.register(noop, Flow.title, F.text)
    router.message.register(noop, StateFilter(None), F.document)
    router.callback_query.register(noop, PunktCb.filter(F.action == "open"))
    messages = router_gate(router, "message")
    assert messages.admits(routing(state="Flow:title"))
    assert messages.admits(routing(state=None))  # StateFilter(None): no dialog going on
    assert not messages.admits(routing(state="Other:x"))
    assert router_gate(router, "callback_query").admits(routing(prefix="p"))
    assert not router_gate(router, "callback_query").admits(routing(prefix="m"))


def test_a_document_handler_is_reached_by_documents_only() -> None:
    router = Router()
    router.message.register(noop, ~StateFilter(Flow), F.document)
    gate = router_gate(router, "message")
    assert gate.admits(routing(state="Flow:title", document=True))
    assert not gate.admits(routing(command="dagsorden"))


@pytest.mark.parametrize(
    "filters",
    [(F.text,), (StateFilter("*"), F.text), (), (lambda m: True,)],
    ids=["text", "any-state", "no-filter", "function"],
)
def test_a_handler_the_gate_cannot_read_keeps_the_router_open(filters: tuple) -> None:
    router = Router()
    router.message.register(noop, Command("x"))
    router.message.register(noop, *filters)
    assert router_gate(router, "message").open


def test_an_outer_middleware_keeps_the_router_open() -> None:
    router = Router()
    router.message.register(noop, Command("x"))

    async def middleware(handler, event, data):  # type: ignore[no-untyped-def]
        return await handler(event, data)

    router.message.outer_middleware(middleware)
    assert router_gate(router, "message").open


async def test_magic_and_state_filters_answer_as_before_without_a_thread() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    router.message.register(noop, Flow.title, F.text.startswith("Ferie"))
    inline_pure_filters(router)
    root = router.message._handler.filters or []
    handler = router.message.handlers[0]
    assert all(f.awaitable for f in [*root, *(handler.filters or [])])
    yes, _ = await handler.check(message("Ferie til 3/8"), raw_state="Flow:title")
    no_state, _ = await handler.check(message("Ferie til 3/8"), raw_state=None)
    no_text, _ = await handler.check(message("Hej"), raw_state="Flow:title")
    assert (yes, no_state, no_text) == (True, False, False)
