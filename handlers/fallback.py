"""Last router: what no feature took gets a short answer that says what to do."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.texts import t


async def unknown_command(message: Message) -> None:
    await message.answer(t("fallback-unknown-command"))


async def free_text(message: Message, state: FSMContext) -> None:
    if await state.get_state() is not None:
        await message.answer(t("fallback-in-dialog"))
    else:
        await message.answer(t("fallback-free-text"))


async def unexpected_content(message: Message) -> None:
    await message.answer(t("fallback-content"))


async def group_command(message: Message, bot: Bot) -> None:
    """A command in a group ("/dagsorden@bot"): the bot works in private chat and says so once.
    A command addressed to another bot ("/start@otherbot") is left to that bot."""
    command = (message.text or "").split(maxsplit=1)[0]
    _, _, mention = command.partition("@")
    me = await bot.me()
    if mention and mention.lower() != (me.username or "").lower():
        return
    await message.reply(t("fallback-group-command", bot=me.username or ""))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(t("err-stale-button"), show_alert=True)


def setup() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.chat.type == "private", F.text.startswith("/"))
    router.message.register(free_text, F.chat.type == "private", F.text)
    router.message.register(unexpected_content, F.chat.type == "private")
    router.message.register(
        group_command, F.chat.type.in_({"group", "supergroup"}), F.text.startswith("/")
    )
    router.callback_query.register(stale_button)
    return router
