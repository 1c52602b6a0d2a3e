"""A document a secretary sends outside a dialog: a plan, or a meeting to import.

This router decides what an upload is and hands it over: a spreadsheet (CSV, XLSX) that reads
as a plan goes to ``handlers.plan_upload``; a DOCX is offered as a meeting
(``handlers.imports``) and, when its table names an indsats column, also as a plan; anything
else, and a spreadsheet that cannot be read at all, goes to the meeting import, which says what
it takes. The buttons of both offers stay with their features.

While a /nysag dialog or an open sag is waiting for bilag, documents go to ``handlers.sag``:
this router does not look at them. Members and tovholdere are left to ``handlers.sag`` as well.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from agendas import rules
from agendas.model import Actor
from agendas.ports import UnitOfWork
from handlers import imports, plan_upload
from handlers.sag_dialog import NySag
from handlers.texts import error_text, t


async def on_docx(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, bot: Bot
) -> None:
    """A DOCX: a meeting to import, and also a plan when it reads as one."""
    from agendas.status.plan_file import MAX_FILE_BYTES

    document = message.document
    assert document is not None
    await imports.offer_import(message, actor, uow, state)
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        return
    name = document.file_name or "plan"
    if await plan_upload.check_plan(bot, document.file_id, name) is None:
        await plan_upload.offer_plan(message, actor, uow, state, quiet=True)


async def on_spreadsheet(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, bot: Bot
) -> None:
    """A CSV or XLSX: a plan; one that is no readable spreadsheet goes to the meeting import."""
    from agendas.status.plan_file import MAX_FILE_BYTES, UNREADABLE

    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await message.answer(t("err-plan-file-too-large", limit=MAX_FILE_BYTES // (1024 * 1024)))
        return
    refusal = await plan_upload.check_plan(bot, document.file_id, document.file_name or "plan")
    if refusal is None:
        await plan_upload.offer_plan(message, actor, uow, state, quiet=False)
    elif refusal.key in UNREADABLE:
        await imports.offer_import(message, actor, uow, state)
    else:
        await message.answer(error_text(refusal))


# The filters are coroutines: aiogram runs a plain function filter in a worker thread.
async def _spreadsheet(message: Message, actor: Actor) -> bool:
    from agendas.status.plan_file import is_spreadsheet

    document = message.document
    assert document is not None
    name, mime = document.file_name or "", document.mime_type or ""
    return rules.is_editor_anywhere(actor) and is_spreadsheet(name, mime)


async def _docx(message: Message, actor: Actor) -> bool:
    """A DOCX (the router takes spreadsheets first)."""
    from agendas.status.plan_file import may_be_plan

    document = message.document
    assert document is not None
    name, mime = document.file_name or "", document.mime_type or ""
    return rules.is_editor_anywhere(actor) and may_be_plan(name, mime)


async def _editor(_message: Message, actor: Actor) -> bool:
    return rules.is_editor_anywhere(actor)


def setup() -> Router:
    router = Router(name="upload")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_spreadsheet, StateFilter(None), F.document, _spreadsheet)
    router.message.register(on_docx, StateFilter(None), F.document, _docx)
    # Any other document of a secretary, in any state but the sag dialog: a meeting to import.
    router.message.register(imports.offer_import, ~StateFilter(NySag), F.document, _editor)
    return router
