"""The units that own indsatser: /enheder (who answers for each), and the secretary's answer to
"is »Center for Hjælpe midler« the unit »Center for Hjælpemidler«?" after an import.

/enheder lists the udvalg's units with their contact person and a button each; a tap offers
the udvalg's tovholdere, and the one chosen answers for every indsats the unit owns. The
import's summary carries a "✅ Samme enhed" / "➕ En anden enhed" pair per spelling that matched
a known unit only tolerantly (``agendas.status.owners``).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import committees
from agendas.status import owners
from agendas.status.owners import PendingMatch
from handlers.callbacks import UnitCb
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import plain, t

UNIT_ACTIONS = frozenset({"contact", "set", "same", "new"})
MAX_UNIT_BUTTONS = 60


def unit_button(text: str, action: str, target: int, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=clip(text), callback_data=UnitCb(action=action, target=target, value=value).pack()
    )


def match_keyboard(matches: list[PendingMatch]) -> list[list[InlineKeyboardButton]]:
    """Per spelling awaiting the secretary: "✅ Samme enhed" and "➕ En anden enhed"."""
    return [
        [
            unit_button(t("unit-btn-same", name=m.name), "same", m.indsats_id, m.position),
            unit_button(t("unit-btn-new"), "new", m.indsats_id, m.position),
        ]
        for m in matches[:MAX_UNIT_BUTTONS]
    ]


def match_lines(matches: list[PendingMatch]) -> list[str]:
    return [t("unit-match-line", name=m.name, unit=m.unit.name) for m in matches]


async def units_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork
) -> None:
    """/enheder [KODE]: the units of the udvalg and who answers for each."""
    from agendas.status import plans

    code = (command.args or "").strip().upper()
    if not code:
        mine = [u for u, _ in await committees.my_udvalg(uow, actor)]
        editable = [u for u in mine if rules.can_edit_udvalg(actor, u.id or 0)]
        if len(editable) != 1:
            await message.answer(t("unit-usage"))
            return
        code = editable[0].code
    udvalg_id = await plans.udvalg_id_of(uow, code)
    listing = await owners.list_units(uow, actor, udvalg_id)
    if not listing:
        await message.answer(t("unit-none", code=code))
        return
    lines = [t("unit-head", code=code)]
    rows = []
    for entry in listing:
        contact = entry.contact.name if entry.contact else t("unit-no-contact")
        lines.append(t("unit-line", unit=entry.unit.name, contact=contact, count=entry.indsatser))
        rows.append([unit_button(f"👤 {entry.unit.name}", "contact", entry.unit.id or 0)])
    await message.answer(
        "\n".join(lines)[:4000],
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows[:MAX_UNIT_BUTTONS]),
    )


async def on_contact(
    query: CallbackQuery, callback_data: UnitCb, actor: Actor, uow: UnitOfWork
) -> None:
    """A unit chosen: the udvalg's tovholdere to answer for it."""
    message = await chat_message(query)
    choice = await owners.contact_choice(uow, actor, callback_data.target)
    await query.answer()
    if not choice.people:
        await message.answer(t("unit-nobody", code=choice.code))
        return
    rows = [
        [unit_button(person.name, "set", callback_data.target, person.id or 0)]
        for person in choice.people[:MAX_UNIT_BUTTONS]
    ]
    await message.answer(
        t("unit-ask-contact", unit=choice.unit.name),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def on_set(
    query: CallbackQuery,
    callback_data: UnitCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    message = await chat_message(query)
    unit, person = await owners.set_contact(
        uow, actor, callback_data.target, callback_data.value, config.now()
    )
    await query.answer()
    await message.answer(t("unit-contact-set", unit=unit.name, name=person.name))


async def on_match(
    query: CallbackQuery,
    callback_data: UnitCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """ "Samme enhed" or "En anden enhed" for a spelling matched tolerantly."""
    message = await chat_message(query)
    same = callback_data.action == "same"
    name, unit = await owners.confirm_match(
        uow, actor, callback_data.target, callback_data.value, same, config.now()
    )
    await query.answer()
    key = "unit-match-same" if same else "unit-match-new"
    await message.answer(t(key, name=name, unit=unit.name))


async def on_stale(query: CallbackQuery) -> None:
    await query.answer(plain("err-stale-button"), show_alert=True)


def setup() -> Router:
    router = Router(name="status_units")
    router.message.filter(F.chat.type == "private")
    router.message.register(units_command, Command("enheder"))
    router.callback_query.register(on_contact, UnitCb.filter(F.action == "contact"))
    router.callback_query.register(on_set, UnitCb.filter(F.action == "set"))
    router.callback_query.register(on_match, UnitCb.filter(F.action.in_({"same", "new"})))
    router.callback_query.register(on_stale, UnitCb.filter(~F.action.in_(UNIT_ACTIONS)))
    return router
