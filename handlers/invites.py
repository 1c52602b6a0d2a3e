"""/inviter KODE rolle [parti]: an admin or the udvalg's sekretær gets a one-time invite link.

Without arguments the udvalg and the role are picked with buttons. The buttons carry
everything they need (udvalg code and role), so no dialog state is kept between the taps.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas import rules
from agendas.dates import format_date, format_time, to_local
from agendas.errors import NotAllowed
from agendas.model import Actor, Role, Udvalg
from agendas.ports import UnitOfWork
from agendas.services import committees, invites
from handlers.callbacks import InviteCb
from handlers.context import ChatConfig
from handlers.start import role_name
from handlers.texts import t

#: Roles offered as buttons, in the order a secretary usually hands them out.
ROLE_ORDER = (
    Role.SEKRETAER,
    Role.FORMAND,
    Role.NAESTFORMAND,
    Role.MEDLEM,
    Role.STEDFORTRAEDER,
    Role.TOVHOLDER,
)


async def invitable_udvalg(uow: UnitOfWork, actor: Actor) -> list[Udvalg]:
    """The committees this person may invite to: all for an admin, else where sekretær."""
    return [
        u for u, _ in await committees.my_udvalg(uow, actor) if rules.can_invite(actor, u.id or 0)
    ]


def udvalg_keyboard(udvalg: list[Udvalg]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for u in udvalg:
        builder.button(text=f"{u.code} – {u.name}", callback_data=InviteCb(code=u.code))
    builder.adjust(1)
    return builder.as_markup()


def role_keyboard(code: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role in ROLE_ORDER:
        builder.button(text=role_name(role), callback_data=InviteCb(code=code, role=role.value))
    builder.adjust(2)
    return builder.as_markup()


async def issue(
    bot: Bot,
    uow: UnitOfWork,
    actor: Actor,
    config: ChatConfig,
    code: str,
    role: Role,
    party: str | None = None,
) -> str:
    """Create the invite and return the message with its link (the token is shown only here)."""
    issued = await invites.create_invite(
        uow, actor, code, role, config.now(), party=party, ttl=config.invite_ttl
    )
    link = await create_start_link(bot, issued.token)
    expires = to_local(issued.invite.expires_at, config.timezone)
    key = "invite-link-party" if issued.invite.party else "invite-link"
    return t(
        key,
        role=role_name(role),
        udvalg=issued.udvalg.name,
        code=issued.udvalg.code,
        party=issued.invite.party or "",
        link=link,
        date=format_date(expires.date()),
        time=format_time(expires.time()),
    )


async def invite_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    words = (command.args or "").split()
    if len(words) > 3:
        await message.answer(t("invite-usage"))
        return
    if len(words) >= 2:
        role = invites.parse_role(words[1])
        party = words[2] if len(words) == 3 else None
        await message.answer(await issue(bot, uow, actor, config, words[0], role, party))
        return
    if words:
        code = (await committees.udvalg_for_editor(uow, actor, words[0])).code
        await message.answer(t("invite-choose-role", code=code), reply_markup=role_keyboard(code))
        return
    allowed = await invitable_udvalg(uow, actor)
    if not allowed:
        if actor.is_admin:
            await message.answer(t("invite-no-udvalg"))
            return
        raise NotAllowed("err-not-secretary")
    await message.answer(t("invite-choose-udvalg"), reply_markup=udvalg_keyboard(allowed))


async def invite_button(
    query: CallbackQuery,
    callback_data: InviteCb,
    bot: Bot,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    message = query.message
    if not callback_data.role:
        await committees.udvalg_for_editor(uow, actor, callback_data.code)
        await query.answer()
        if isinstance(message, Message):
            await message.edit_text(
                t("invite-choose-role", code=callback_data.code),
                reply_markup=role_keyboard(callback_data.code),
            )
        return
    try:
        role = Role(callback_data.role)
    except ValueError:
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    text = await issue(bot, uow, actor, config, callback_data.code, role)
    await query.answer()
    if isinstance(message, Message):
        await message.edit_text(text)
    else:
        await bot.send_message(query.from_user.id, text)


def setup() -> Router:
    router = Router(name="invites")
    router.message.filter(F.chat.type == "private")
    router.message.register(invite_command, Command("inviter", "invite"))
    router.callback_query.register(invite_button, InviteCb.filter())
    return router
