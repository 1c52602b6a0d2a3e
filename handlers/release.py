"""/udsend (sekretær): release the agenda; /tilknyt KODE (in the committee's group): link it;
/frist [KODE] [hverdage [advarsel]]: show or set the udsendelsesfrist and the warning lead.

The release writes the whole mailing to the outbox in one transaction; the delivery worker sends
it. The summaries carry ``PunktCb``/``BilagCb`` buttons, which ``handlers.agenda`` and
``handlers.bilag`` answer.

A changed frist moves the secretary's deadline warning when the scheduler's ``delivery-sync``
job next runs (every ``sync_minutes``, 10 by default; ``bot.workers.scheduler``), not at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, moede_when
from agendas.errors import InvalidInput, NotAllowed
from agendas.meeting_view import NeedsConfirmation
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import meetings
from agendas.workdays import MAX_FRIST_HVERDAGE, MAX_WARN_HVERDAGE, WARN_TIME
from handlers.callbacks import ReleaseCb
from handlers.chat import button, chat_message, markup
from handlers.context import ChatConfig
from handlers.meeting_views import empty_section_items
from handlers.texts import t

if TYPE_CHECKING:
    from agendas.services import release
    from agendas.services.release import ReleaseResult


def _done_text(result: ReleaseResult, now: datetime) -> str:
    # "Fristen er …" while the deadline is ahead, "Fristen var …" once it has passed.
    return t(
        "release-done" if result.deadlines.frist_at <= now else "release-done-in-time",
        udvalg=result.udvalg.code,
        date=format_date(result.moede.date),
        members=result.recipients,
        group=t("release-done-group") if result.group else "",
        frist=moede_when(t, result.deadlines.frist_date, result.moede.start_time),
    )


async def _release(
    message: Message,
    moede_id: int,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None,
    confirmed: bool = False,
) -> None:
    from agendas.services import release

    try:
        result = await release.release_agenda(
            uow,
            actor,
            moede_id,
            config.now(),
            config.timezone,
            texts,
            confirmed,
            archive_base_url=config.archive_base_url,
        )
    except NeedsConfirmation as needs:
        # Nothing sent or stored: which sager lack a required section, and a button to send.
        anyway = ReleaseCb(moede_id=moede_id, force=True)
        await message.answer(
            t("release-empty-sections", items=empty_section_items(needs.empty)),
            reply_markup=markup([[button(t("release-btn-anyway"), anyway)]]),
        )
        return
    if outbox_wake is not None:
        outbox_wake()
    await message.answer(_done_text(result, config.now()))


async def udsend(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
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
        moede_id = coming[0].moede.id or 0
        await _release(message, moede_id, actor, uow, config, texts, outbox_wake)
        return
    builder = InlineKeyboardBuilder()
    for item in coming[:10]:
        builder.button(
            text=f"{item.udvalg.code} {moede_when(t, item.moede.date, item.moede.start_time)}",
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
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """A meeting picked from the list, or "Udsend alligevel" (``force``)."""
    cb = callback_data
    await query.answer()
    message = await chat_message(query)
    await _release(message, cb.moede_id, actor, uow, config, texts, outbox_wake, cb.force)


async def tilknyt(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.services import release

    if message.chat.type == ChatType.PRIVATE:
        await message.answer(t("link-private"))
        return
    code = (command.args or "").strip()
    if not code or " " in code:
        raise InvalidInput("link-usage")
    udvalg = await release.link_group(uow, actor, code, message.chat.id, config.now())
    await message.answer(t("link-done", udvalg=udvalg.name, code=udvalg.code))


# --- /frist: the udsendelsesfrist and the warning lead ------------------------------------------

_NUMBER = re.compile(r"[0-9]{1,3}")
#: As ``committees.normalise_code`` accepts (any case): "-1" is a bad number, not a code.
_CODE = re.compile(r"[A-ZÆØÅ][A-ZÆØÅ0-9]{1,9}", re.IGNORECASE)


def _parse_frist(args: str | None) -> tuple[str | None, int | None, int | None]:
    """``[KODE] [frist [advarsel]]`` -> (code, frist, warn); bad input says how to write it."""
    words = (args or "").split()
    code = words[0] if words and not _NUMBER.fullmatch(words[0]) else None
    numbers = words[1:] if code is not None else words
    if code is not None and not _CODE.fullmatch(code):
        raise InvalidInput("frist-usage")
    if len(numbers) > 2 or not all(_NUMBER.fullmatch(w) for w in numbers):
        raise InvalidInput("frist-usage")
    values = [int(w) for w in numbers]
    frist = values[0] if values else None
    warn = values[1] if len(values) == 2 else None
    if (frist is not None and frist > MAX_FRIST_HVERDAGE) or (
        warn is not None and warn > MAX_WARN_HVERDAGE
    ):
        raise InvalidInput("frist-range", frist=MAX_FRIST_HVERDAGE, warn=MAX_WARN_HVERDAGE)
    return code, frist, warn


def _days(count: int) -> str:
    return t("frist-day" if count == 1 else "frist-days", count=count)


def _at(day: date, at: time) -> str:
    return t("frist-at", date=format_date(day), time=format_time(at))


def _overview_text(item: release.FristOverview, now: datetime) -> str:
    """The udvalg's frist and warning lead, and what they mean for its next meeting."""
    settings = item.settings
    lines = [
        t(
            "frist-udvalg",
            code=item.udvalg.code,
            name=item.udvalg.name,
            frist=_days(settings.frist_hverdage),
            warn=_days(settings.warn_hverdage),
        )
    ]
    moede, frist = item.moede, item.deadlines
    if moede is None or frist is None:
        lines.append(t("frist-no-meeting"))
        return "\n".join(lines)
    meeting = {"when": moede_when(t, moede.date, moede.start_time)}
    deadline = moede_when(t, frist.frist_date, moede.start_time)
    if frist.frist_at <= now:
        lines.append(t("frist-next-passed", frist=deadline, **meeting))
        return "\n".join(lines)
    text = t("frist-next", frist=deadline, **meeting)
    if frist.warn_at > now:
        text += " " + t("frist-next-warn", warn=_at(frist.warn_date, WARN_TIME))
    lines.append(text)
    return "\n".join(lines)


async def frist(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/frist [KODE] [hverdage [advarsel]]: show or set the udvalg's udsendelsesfrist."""
    from agendas.services import release

    code, days, warn = _parse_frist(command.args)
    now = config.now()
    mine = await release.frist_overview(uow, actor, now, config.timezone, code)
    if not mine:
        if actor.is_admin:
            await message.answer(t("frist-no-udvalg"))
            return
        raise NotAllowed("err-not-secretary")
    if days is None:
        example = mine[0].udvalg.code
        texts = [_overview_text(item, now) for item in mine]
        await message.answer("\n\n".join([*texts, t("frist-how", code=example)]))
        return
    if len(mine) > 1:
        codes = ", ".join(item.udvalg.code for item in mine)
        raise InvalidInput("frist-which", codes=codes, code=mine[0].udvalg.code, frist=days)
    current = mine[0]
    lead = current.settings.warn_hverdage if warn is None else warn
    await release.set_frist(uow, actor, current.udvalg.code, days, lead, now)
    [changed] = await release.frist_overview(uow, actor, now, config.timezone, current.udvalg.code)
    done = t("frist-set", code=changed.udvalg.code)
    await message.answer(done + "\n\n" + _overview_text(changed, now))


def setup() -> Router:
    router = Router(name="release")
    router.message.register(udsend, Command("udsend"), F.chat.type == ChatType.PRIVATE)
    router.callback_query.register(udsend_picked, ReleaseCb.filter())
    router.message.register(tilknyt, Command("tilknyt"))
    router.message.register(frist, Command("frist"), F.chat.type == ChatType.PRIVATE)
    return router
