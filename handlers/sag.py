"""/nysag: the guided dialog for a new sag, and bilag sent while a sag is open.

Everything the dialog has collected lives in the FSM data (our database table), so a restart of
the bot in the middle of the dialog loses nothing; the step is the FSM state (its states and
questions are in ``handlers.sag_dialog``). Nothing is stored in the agenda until the last
section is answered.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from agendas import rules
from agendas.dates import format_date
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.model import DIALOG_SECTIONS, SAGSTYPE_LABELS, SECTION_BY_KEY, Actor, Sagstype
from agendas.ports import UnitOfWork
from agendas.services import meetings, punkter
from agendas.services.punkter import SagDraft
from handlers import long_text
from handlers.agenda import send_punkt
from handlers.callbacks import MoedeCb, NySagCb, PunktCb
from handlers.cancel import CANCEL_NOTE
from handlers.chat import chat_message, moede_choice
from handlers.context import ChatConfig
from handlers.punkt import current_for_editor
from handlers.sag_dialog import NySag, ask, done_markup, next_step
from handlers.texts import error_text, t


async def drop_buttons(query: CallbackQuery) -> None:
    """Take the buttons off an answered question, so it cannot be answered twice."""
    message = await chat_message(query)
    await message.edit_reply_markup(reply_markup=None)


# --- starting ----------------------------------------------------------------------------------


async def start_on_moede(
    target: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    moede_id: int,
    title: str,
) -> None:
    agenda = await meetings.load_agenda(uow, actor, moede_id)
    if not rules.can_edit_udvalg(actor, agenda.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    await meetings.require_open_for_sager(uow, moede_id)
    await state.set_state(NySag.title)
    await state.set_data(
        {
            "moede_id": moede_id,
            "udvalg_code": agenda.udvalg.code,
            "udvalg_name": agenda.udvalg.name,
            "forvaltning": agenda.udvalg.forvaltning,
            "moede_date": format_date(agenda.moede.date),
            "sections": {},
        }
    )
    if title:
        try:
            cleaned = punkter.clean_title(title)
        except InvalidInput as exc:
            await target.answer(error_text(exc))
            await ask(target, state)
            return
        await target.answer(
            t("sag-started", udvalg=agenda.udvalg.name, date=format_date(agenda.moede.date))
        )
        await next_step(target, state, title=cleaned)
        return
    await ask(target, state)


async def nysag_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """/nysag [titel]: on the only coming meeting, or after choosing one with a button."""
    title = (command.args or "").strip()
    choices = await meetings.editable_moeder(uow, actor, config.today().date())
    if not choices:
        if not rules.is_editor_anywhere(actor):
            raise NotAllowed("err-not-secretary")
        await message.answer(t("sag-no-moede"))
        return
    await state.clear()
    if len(choices) == 1:
        await start_on_moede(message, state, actor, uow, choices[0].moede.id or 0, title)
        return
    await state.set_state(NySag.moede)
    await state.set_data({"title": title})
    await message.answer(
        t("sag-choose-moede"),
        reply_markup=moede_choice(choices, lambda mid: MoedeCb(action="nysag", moede_id=mid)),
    )


async def nysag_button(
    query: CallbackQuery,
    callback_data: MoedeCb,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
) -> None:
    """MoedeCb(action="nysag"): from our meeting choice, the agenda, or /nytmoede."""
    message = await chat_message(query)
    title = ""
    if await state.get_state() == NySag.moede.state:
        title = str((await state.get_data()).get("title", ""))
    try:
        await meetings.load_agenda(uow, actor, callback_data.moede_id)
    except NotFound as exc:
        await query.answer(error_text(exc), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await start_on_moede(message, state, actor, uow, callback_data.moede_id, title)


# --- the steps ---------------------------------------------------------------------------------


async def got_title(message: Message, state: FSMContext) -> None:
    try:
        title = punkter.clean_title(message.text or "")
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        await ask(message, state)
        return
    await next_step(message, state, title=title)


async def got_sagstype(query: CallbackQuery, callback_data: NySagCb, state: FSMContext) -> None:
    try:
        sagstype = Sagstype(callback_data.value)
    except ValueError:
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    await query.answer(SAGSTYPE_LABELS[sagstype])
    await drop_buttons(query)
    await next_step(await chat_message(query), state, sagstype=sagstype.value)


async def got_kompetence_button(
    query: CallbackQuery, callback_data: NySagCb, state: FSMContext
) -> None:
    await query.answer()
    await drop_buttons(query)
    message = await chat_message(query)
    if callback_data.value == "-":
        await state.set_state(NySag.kompetence_text)
        await ask(message, state)
        return
    await next_step(message, state, kompetence=callback_data.value)


async def got_kompetence_text(message: Message, state: FSMContext) -> None:
    try:
        value = punkter.clean_short(message.text or "", 40)
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        await ask(message, state)
        return
    if not value:
        await ask(message, state)
        return
    await next_step(message, state, kompetence=value)


async def got_lukket(query: CallbackQuery, callback_data: NySagCb, state: FSMContext) -> None:
    await query.answer()
    await drop_buttons(query)
    await next_step(await chat_message(query), state, closed=callback_data.value == "1")


async def use_buttons(message: Message, state: FSMContext) -> None:
    """Text typed where a button is expected: say so and ask again."""
    await message.answer(t("sag-use-buttons"))
    await ask(message, state)


async def got_section(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    whole = await long_text.gather(message, state)
    if whole is None:
        return  # a long pasted text: more parts may follow
    data = await state.get_data()
    try:
        text = punkter.clean_section(whole)
        if text:
            punkter.require_filled(str(data["section"]), text)
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        await ask(message, state)
        return
    if not text:
        await ask(message, state)
        return
    sections = dict(data.get("sections") or {})
    sections[str(data["section"])] = text
    await section_answered(message, state, actor, uow, config, sections)


async def skip_section(
    query: CallbackQuery,
    callback_data: NySagCb,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    data = await state.get_data()
    section = SECTION_BY_KEY.get(callback_data.value)
    if callback_data.value != data.get("section") or section is None or section.required:
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    await query.answer(t("sag-skipped"))
    await drop_buttons(query)
    sections = dict(data.get("sections") or {})
    await section_answered(await chat_message(query), state, actor, uow, config, sections)


async def section_answered(
    target: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    sections: dict[str, str],
) -> None:
    data = await state.get_data()
    keys = [s.key for s in DIALOG_SECTIONS]
    if keys.index(str(data["section"])) + 1 < len(keys):
        await next_step(target, state, sections=sections)
        return
    await state.update_data(sections=sections)
    await finish(target, state, actor, uow, config)


async def finish(
    target: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """Store the sag, show it in full, and keep it open for bilag."""
    data = await state.get_data()
    draft = SagDraft(
        title=str(data["title"]),
        sagstype=Sagstype(data["sagstype"]) if data.get("sagstype") else None,
        beslutningskompetence=str(data.get("kompetence", "")),
        closed=bool(data.get("closed", False)),
        sections=dict(data.get("sections") or {}),
    )
    punkt = await punkter.add_sag(uow, actor, int(data["moede_id"]), draft, config.now())
    punkt_id = punkt.id or 0
    await state.set_state(NySag.bilag)
    await state.set_data({"punkt_id": punkt_id, CANCEL_NOTE: _kept_note(draft.title)})
    detail = await punkter.open_punkt(uow, actor, punkt_id)
    await target.answer(t("sag-saved", number=detail.number))
    await send_punkt(target, detail, actor)
    await target.answer(t("sag-send-bilag"), reply_markup=done_markup(punkt_id))


# --- the open sag: bilag -----------------------------------------------------------------------


def _kept_note(title: str) -> dict[str, object]:
    """What /annuller says while the sag waits for bilag: it and every bilag sent are stored."""
    return {
        "group": NySag.__full_group_name__,
        "key": "cancel-sag-kept",
        "params": {"title": title},
    }


async def attach_to_punkt(
    query: CallbackQuery,
    callback_data: PunktCb,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
) -> None:
    """'Add bilag' on an existing punkt opens it for documents, like the end of /nysag."""
    cb = callback_data
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    await query.answer()
    await state.clear()
    await state.set_state(NySag.bilag)
    await state.set_data({"punkt_id": cb.punkt_id, CANCEL_NOTE: _kept_note(detail.punkt.title)})
    message = await chat_message(query)
    await message.answer(
        t("sag-attach-prompt", number=detail.number, title=detail.punkt.title),
        reply_markup=done_markup(cb.punkt_id),
    )


async def got_bilag(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """Type and size are checked before downloading; the bytes are kept in the database."""
    document = message.document
    assert document is not None
    punkt_id = int((await state.get_data())["punkt_id"])
    file_name = document.file_name or "bilag"
    size = document.file_size if document.file_size is not None else 1
    try:
        name = punkter.check_bilag(file_name, size)
    except InvalidInput as exc:
        await message.answer(error_text(exc), reply_markup=done_markup(punkt_id))
        return
    downloaded = await bot.download(document)
    content = downloaded.read() if downloaded is not None else b""
    mime = document.mime_type or ""
    try:
        bilag = await punkter.attach_bilag(
            uow, actor, punkt_id, name, mime, content, document.file_id, config.now()
        )
    except NotFound as exc:
        await state.clear()
        await message.answer(error_text(exc))
        return
    except InvalidInput as exc:
        await message.answer(error_text(exc), reply_markup=done_markup(punkt_id))
        return
    await message.answer(
        t("sag-bilag-attached", name=bilag.file_name, number=bilag.position + 1),
        reply_markup=done_markup(punkt_id),
    )


async def open_sag_text(message: Message, state: FSMContext) -> None:
    punkt_id = int((await state.get_data())["punkt_id"])
    await message.answer(t("sag-open-hint"), reply_markup=done_markup(punkt_id))


async def done(query: CallbackQuery, callback_data: NySagCb, state: FSMContext) -> None:
    data = await state.get_data()
    if str(data.get("punkt_id")) != callback_data.value:
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    await (await chat_message(query)).answer(t("sag-done"))


async def document_in_dialog(message: Message) -> None:
    await message.answer(t("sag-bilag-after-save"))


async def document_elsewhere(message: Message, actor: Actor) -> None:
    """A file with no open sag: the secretary is told how to open one; others that we keep none."""
    if rules.is_editor_anywhere(actor):
        await message.answer(t("sag-bilag-no-sag"))
    else:
        await message.answer(t("sag-files-not-taken"))


def _register_dialog(router: Router) -> None:
    """The /nysag dialog steps, one handler per state and button action."""
    text = (F.text, ~F.text.startswith("/"))  # plain text, not a command
    router.message.register(got_title, StateFilter(NySag.title), *text)
    router.callback_query.register(
        got_sagstype, StateFilter(NySag.sagstype), NySagCb.filter(F.action == "type")
    )
    router.callback_query.register(
        got_kompetence_button, StateFilter(NySag.kompetence), NySagCb.filter(F.action == "komp")
    )
    router.message.register(got_kompetence_text, StateFilter(NySag.kompetence_text), *text)
    router.message.register(got_kompetence_text, StateFilter(NySag.kompetence), *text)
    router.callback_query.register(
        got_lukket, StateFilter(NySag.lukket), NySagCb.filter(F.action == "closed")
    )
    router.message.register(
        use_buttons, StateFilter(NySag.moede, NySag.sagstype, NySag.lukket), *text
    )
    router.message.register(got_section, StateFilter(NySag.section), *text)
    router.callback_query.register(
        skip_section, StateFilter(NySag.section), NySagCb.filter(F.action == "skip")
    )


def _register_open_sag(router: Router) -> None:
    """The open sag waiting for bilag, and documents anywhere else."""
    text = (F.text, ~F.text.startswith("/"))  # plain text, not a command
    router.message.register(got_bilag, StateFilter(NySag.bilag), F.document)
    router.message.register(open_sag_text, StateFilter(NySag.bilag), *text)
    router.callback_query.register(
        done, StateFilter(NySag.bilag), NySagCb.filter(F.action == "done")
    )
    # documents anywhere else
    router.message.register(
        document_in_dialog,
        StateFilter(
            NySag.moede,
            NySag.title,
            NySag.sagstype,
            NySag.kompetence,
            NySag.kompetence_text,
            NySag.lukket,
            NySag.section,
        ),
        F.document,
    )
    router.message.register(document_elsewhere, F.document)


def setup() -> Router:
    router = Router(name="sag")
    router.message.filter(F.chat.type == "private")
    router.message.register(nysag_command, Command("nysag", "newitem"))
    router.callback_query.register(nysag_button, MoedeCb.filter(F.action == "nysag"))
    router.callback_query.register(attach_to_punkt, PunktCb.filter(F.action == "attach"))
    _register_dialog(router)
    _register_open_sag(router)
    return router
