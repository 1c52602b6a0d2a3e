"""/udsend (sekretær): release the agenda; /tilknyt KODE (in the committee's group): link it.

The release writes the whole mailing to the outbox in one transaction; the delivery worker sends
it. The summaries carry ``PunktCb``/``BilagCb`` buttons, which ``handlers.agenda`` answers.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas.chatviews import Translate
from agendas.dates import format_date, format_time
from agendas.errors import InvalidInput
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import meetings, release
from agendas.services.release import DeliveryUnitOfWork, ReleaseResult, Texts
from handlers.context import ChatConfig
from handlers.texts import t

#: Languages the catalogue has; anything else falls back to the default.
LANGUAGES = ("da", "en")


class ReleaseCb(CallbackData, prefix="rl"):
    moede_id: int


def texts_for(i18n: I18n) -> Texts:
    """The catalogue per recipient language, as plain text (the views escape)."""

    def texts(language: str | None) -> Translate:
        locale = language if language in LANGUAGES else i18n.default_locale

        def translate(key: str, /, **params: object) -> str:
            text = i18n.gettext(key, locale=locale)
            return text.format(**params) if params else text

        return translate

    return texts


def _done_text(result: ReleaseResult) -> str:
    return t(
        "release-done",
        udvalg=result.udvalg.code,
        date=format_date(result.moede.date),
        members=result.recipients,
        group=t("release-done-group") if result.group else "",
        frist=f"{format_date(result.deadlines.frist_date)} kl. "
        f"{format_time(result.moede.start_time)}",
    )


async def _release(
    moede_id: int,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    outbox_wake: Callable[[], None] | None,
) -> str:
    result = await release.release_agenda(
        _delivery(uow),
        actor,
        moede_id,
        config.now(),
        config.timezone,
        texts_for(I18n.get_current()),
    )
    if outbox_wake is not None:
        outbox_wake()
    return _done_text(result)


def _delivery(uow: UnitOfWork) -> DeliveryUnitOfWork:
    """The SQL unit of work has the delivery repositories (``storage.uow``)."""
    if not hasattr(uow, "outbox"):
        raise RuntimeError("this unit of work has no outbox")
    return uow  # type: ignore[return-value]


async def udsend(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    coming = [
        x
        for x in await meetings.editable_moeder(uow, actor, config.today().date())
        if x.moede.starts_at is None or x.moede.starts_at > config.now()
    ]
    if not coming:
        await message.answer(t("release-no-meeting"))
        return
    if len(coming) == 1:
        await message.answer(
            await _release(coming[0].moede.id or 0, actor, uow, config, outbox_wake)
        )
        return
    builder = InlineKeyboardBuilder()
    for item in coming[:10]:
        builder.button(
            text=f"{item.udvalg.code} {format_date(item.moede.date)} "
            f"{format_time(item.moede.start_time)}",
            callback_data=ReleaseCb(moede_id=item.moede.id or 0),
        )
    builder.adjust(1)
    await message.answer(t("release-pick"), reply_markup=builder.as_markup())


async def udsend_picked(
    query: CallbackQuery,
    callback_data: ReleaseCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    text = await _release(callback_data.moede_id, actor, uow, config, outbox_wake)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(text)


async def tilknyt(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(t("link-private"))
        return
    code = (command.args or "").strip()
    if not code or " " in code:
        raise InvalidInput("link-usage")
    udvalg = await release.link_group(_delivery(uow), actor, code, message.chat.id, config.now())
    await message.answer(t("link-done", udvalg=udvalg.name, code=udvalg.code))


def setup() -> Router:
    router = Router(name="release")
    router.message.register(udsend, Command("udsend"), F.chat.type == ChatType.PRIVATE)
    router.callback_query.register(udsend_picked, ReleaseCb.filter())
    router.message.register(tilknyt, Command("tilknyt"))
    return router
