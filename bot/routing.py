"""Skip the feature routers that cannot take an update, without asking their filters.

aiogram offers every message and button press to the feature routers one after another, and
each router asks each of its handlers' filters (a ``Command`` filter parses the text again, a
magic filter resolves its chain). Most routers only take a few commands, dialog states and
button prefixes; ``gate_routers`` reads those from the handlers' own filters when the
dispatcher is built, and ``RoutingMiddleware`` reads the update's command name, button prefix
and dialog state once. A router is entered only when its gate lets the update through; a router
with a handler the gate cannot read (``F.text`` alone, a document filter, an outer middleware) is
always entered. The gate only ever skips routers whose filters would all have said no, so which
handler takes an update is unchanged, and so is the order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.state import State
from aiogram.types import Message, TelegramObject, Update
from magic_filter.operations import GetAttributeOperation

from bot.middlewares import Handler

#: The key of the update's ``Routing`` in the middleware data.
ROUTING = "routing"


@dataclass(frozen=True, slots=True)
class Routing:
    """What the gates look at, read once per update."""

    #: The command's name, lower-cased, without "/" and "@bot" ("/Start@x y" -> "start").
    command: str | None
    #: The button's callback prefix ("p:open:3:1" -> "p").
    prefix: str | None
    #: The dialog state (``raw_state``).
    state: str | None
    #: A message with a document.
    document: bool = False


def command_name(message: Message) -> str | None:
    """The name a ``Command`` filter would parse from the message, lower-cased."""
    text = message.text or message.caption
    if not text or not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].partition("@")[0].lower()


class RoutingMiddleware:
    """Reads the update's ``Routing`` (after the dialog state is known)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        query = event.callback_query if isinstance(event, Update) else None
        command = command_name(message) if message is not None else None
        prefix = query.data.partition(":")[0] if query is not None and query.data else None
        data[ROUTING] = Routing(
            command=command,
            prefix=prefix,
            state=data.get("raw_state"),
            document=message is not None and message.document is not None,
        )
        return await handler(event, data)


@dataclass(frozen=True, slots=True)
class Gate:
    """A router takes an update only if one of these holds (``open``: always ask it)."""

    open: bool = False
    commands: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    states: frozenset[str | None] = frozenset()
    documents: bool = False

    def admits(self, routing: Routing) -> bool:
        return (
            self.open
            or (routing.command is not None and routing.command in self.commands)
            or (routing.prefix is not None and routing.prefix in self.prefixes)
            or routing.state in self.states
            or (self.documents and routing.document)
        )


def _tree(router: Router) -> Iterator[Router]:
    yield router
    for sub in router.sub_routers:
        yield from _tree(sub)


def _handler_gate(handler: HandlerObject) -> Gate:
    """One condition that must hold for the handler to take an update: its command names, its
    button prefix or its dialog states; ``open`` when its filters say none of these."""
    for item in handler.filters or ():
        check = item.callback
        if isinstance(check, Command):
            names = [c for c in check.commands if isinstance(c, str)]
            if check.prefix != "/" or len(names) != len(check.commands):
                continue
            return Gate(commands=frozenset(c.lower() for c in names))
        if isinstance(check, CallbackQueryFilter):
            data = check.callback_data
            if data.__separator__ == ":":
                return Gate(prefixes=frozenset({data.__prefix__}))
        states: list[str | None] = []
        if isinstance(check, State):
            states = [check.state]
        elif isinstance(check, StateFilter):
            wanted = [s.state if isinstance(s, State) else s for s in check.states]
            if all(s is None or isinstance(s, str) for s in wanted):
                states = wanted  # type: ignore[assignment]
        if states and "*" not in states:
            return Gate(states=frozenset(states))
        if item.magic is not None and _is_document_filter(item.magic):
            return Gate(documents=True)
    return Gate(open=True)


def _is_document_filter(magic: Any) -> bool:
    """``F.document`` exactly (a message with a document)."""
    operations: tuple[Any, ...] = getattr(magic, "_operations", ())
    return (
        len(operations) == 1
        and isinstance(operations[0], GetAttributeOperation)
        and operations[0].name == "document"
    )


def router_gate(router: Router, update_type: str) -> Gate:
    """What any handler of ``update_type`` in the router (and its sub-routers) needs."""
    gates = []
    for part in _tree(router):
        observer = part.observers.get(update_type)
        if observer is None:
            continue
        if observer.outer_middleware:
            return Gate(open=True)
        gates += [_handler_gate(h) for h in observer.handlers]
    if any(g.open for g in gates):
        return Gate(open=True)
    return Gate(
        commands=frozenset().union(*(g.commands for g in gates)),
        prefixes=frozenset().union(*(g.prefixes for g in gates)),
        states=frozenset().union(*(g.states for g in gates)),
        documents=any(g.documents for g in gates),
    )


#: The kinds of update the gates know; every other kind reaches every router.
GATED = ("message", "callback_query")


def gate_routers(routers: list[Router]) -> None:
    """Give each router a gate in front of its ``propagate_event`` (built once)."""
    for router in routers:
        gates = {kind: router_gate(router, kind) for kind in GATED}
        if all(g.open for g in gates.values()):
            continue
        router.propagate_event = _gated(router, gates)  # type: ignore[method-assign]


def _gated(router: Router, gates: dict[str, Gate]) -> Any:
    propagate = router.propagate_event

    async def propagate_event(update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        gate = gates.get(update_type)
        routing: Routing | None = kwargs.get(ROUTING)
        if gate is not None and routing is not None and not gate.admits(routing):
            return UNHANDLED
        return await propagate(update_type=update_type, event=event, **kwargs)

    return propagate_event


def inline_pure_filters(root: Router) -> None:
    """Run the magic filters (``F.chat.type == "private"``) and dialog-state filters in the
    event loop instead of a worker thread.

    aiogram runs every filter that is not a coroutine function through ``asyncio.to_thread``:
    a thread-pool round trip (tens of µs of CPU) for comparing two strings, several per update.
    These filters only read the update, so awaiting them in place gives the same answers.
    """
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in [observer._handler, *observer.handlers]:
                for item in handler.filters or ():
                    _inline(item)


def _inline(item: FilterObject) -> None:
    if item.awaitable or not (item.magic is not None or isinstance(item.callback, State)):
        return
    check = item.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    item.callback = inline
    item.awaitable = True
