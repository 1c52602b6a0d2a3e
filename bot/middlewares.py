"""Middlewares: a unit of work per update, who the user is, and their language.

They only inject dependencies; the rules live in ``agendas``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import DEFAULT_DESTINY
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware

from agendas.model import Person
from agendas.ports import UnitOfWork
from agendas.services import committees
from storage.fsm import storage_key

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UnitOfWorkMiddleware(BaseMiddleware):
    """Gives every update its own unit of work, holding one database session (and connection)
    for the whole update when the unit of work can (``SqlUnitOfWork.held``): the identity
    lookup, the dialog state and the handler's services share it. Each service still commits
    its own transaction, and none stays open while the handler talks to Telegram."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self.uow_factory = uow_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        uow = self.uow_factory()
        data["uow"] = uow
        held = getattr(uow, "held", None)
        if held is None:
            return await handler(event, data)
        async with held():
            return await handler(event, data)


class UpdateFsmMiddleware(FSMContextMiddleware):
    """aiogram's dialog-state middleware, run after ``UnitOfWorkMiddleware``: a storage that
    can work through the update's unit of work (``SqlStorage.for_update``) is given it, so
    reading the state costs no session of its own; any other storage (Redis) is used as is.

    It takes the key's lock and gives the handlers ``state``; the state itself is read by
    ``RawStateMiddleware`` after the identity lookup, still under the lock: with the SQL
    storage the identity read brings it along (``SqlUnitOfWork.expect_state``)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        context = self.resolve_event_context(bot, data)
        data["fsm_storage"] = self.storage
        if context is None:
            return await handler(event, data)
        async with self.events_isolation.lock(key=context.key):
            data["state"] = context
            expect = getattr(data.get("uow"), "expect_state", None)
            if expect is not None and context.storage is not self.storage:
                expect(storage_key(context.key))
            return await handler(event, data)

    def resolve_event_context(
        self, bot: Bot, data: dict[str, Any], destiny: str = DEFAULT_DESTINY
    ) -> FSMContext | None:
        context = super().resolve_event_context(bot, data, destiny)
        for_update = getattr(self.storage, "for_update", None)
        if context is not None and for_update is not None and "uow" in data:
            context.storage = for_update(data["uow"])
        return context


class IdentityMiddleware(BaseMiddleware):
    """Resolves the Telegram user to a person and their roles (``person``, ``actor``)."""

    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None and not user.is_bot:
            # A message in the private chat: Telegram lets the bot write to this person again.
            private = (
                isinstance(event, Update)
                and event.message is not None
                and event.message.chat.type == ChatType.PRIVATE
            )
            person, actor = await committees.identify(
                data["uow"],
                telegram_id=user.id,
                name=user.full_name,
                username=user.username,
                language=user.language_code,
                admin_ids=self.admin_ids,
                private_chat=private,
            )
            data["person"], data["actor"] = person, actor
        # What the identity lookup committed (a first contact) is not what the person asked for.
        data["commits_before_handler"] = getattr(data["uow"], "commits", 0)
        return await handler(event, data)


class RawStateMiddleware(BaseMiddleware):
    """The dialog state the filters match (``raw_state``), read under the key's lock."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None:
            data["raw_state"] = await state.get_state()
        return await handler(event, data)


class LocaleMiddleware(I18nMiddleware):
    """The person's chosen language, else Telegram's, else the default (Danish)."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        """The person's choice from /sprog, else the deployment's default (Danish).

        Telegram's client language is not used: many Danish members run their phones in
        English but expect the committee's paperwork in Danish.
        """
        person: Person | None = data.get("person")
        if person is not None and person.language in self.i18n.available_locales:
            return person.language
        return self.i18n.default_locale
