"""/start (with an invite token from a deep link, or without) and /hjaelp (/help)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from agendas.model import Actor, Person, Role
from agendas.ports import UnitOfWork
from agendas.services import invites
from handlers.context import ChatConfig
from handlers.texts import t

ROLE_KEYS = {role: f"role-{role.value}" for role in Role}


def role_name(role: Role) -> str:
    return t(ROLE_KEYS[role])


def help_text(actor: Actor) -> str:
    """Help for the user's own roles: admin, secretary, member, tovholder, or none yet."""
    roles = {r for rs in actor.roles.values() for r in rs}
    parts = [t("help-intro")]
    if actor.is_admin:
        parts.append(t("help-admin"))
    if Role.SEKRETAER in roles:
        parts.append(t("help-secretary"))
    if any(r.is_member for r in roles):
        parts.append(t("help-member"))
        parts.append(t("members-help"))
    if Role.TOVHOLDER in roles:
        parts.append(t("help-tovholder"))
    if roles:
        parts.append(t("help-search"))
    if not roles and not actor.is_admin:
        parts.append(t("help-nobody"))
    parts.append(t("help-common"))
    return "\n\n".join(parts)


async def start_with_token(
    message: Message,
    command: CommandObject,
    person: Person,
    uow: UnitOfWork,
    config: ChatConfig,
    state: FSMContext,
) -> None:
    accepted = await invites.accept_invite(uow, person, command.args or "", config.now())
    await state.clear()
    if accepted.linked is not None:
        # An invite for a roster member: this account is that member now.
        await message.answer(
            t(
                "roster-linked",
                name=accepted.linked.name,
                role=role_name(accepted.role),
                udvalg=accepted.udvalg.name,
                code=accepted.udvalg.code,
            )
            + "\n\n"
            + t(f"start-can-{accepted.role.value}", code=accepted.udvalg.code)
        )
        return
    key = "start-already-member" if accepted.already_member else "start-welcome-role"
    await message.answer(
        t(
            key,
            name=person.name,
            role=role_name(accepted.role),
            udvalg=accepted.udvalg.name,
            code=accepted.udvalg.code,
        )
        + "\n\n"
        + t(f"start-can-{accepted.role.value}", code=accepted.udvalg.code)
    )


async def start_plain(message: Message, person: Person, actor: Actor) -> None:
    await message.answer(t("start-hello", name=person.name) + "\n\n" + help_text(actor))


async def show_help(message: Message, actor: Actor) -> None:
    await message.answer(help_text(actor))


def setup() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(start_with_token, CommandStart(deep_link=True))
    router.message.register(start_plain, CommandStart())
    router.message.register(show_help, Command("hjaelp", "help"))
    return router
