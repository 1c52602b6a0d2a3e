"""A document uploaded by a secretary outside a sag dialog: import it as a meeting.

``handlers.upload`` decides that an upload is a meeting and calls ``offer_import``: the bot
offers one button per udvalg where the person is secretary ("Importér som møde i BEU"); the
file's id waits in the FSM data, never in the callback data. Only on that tap is the file
downloaded (its size checked first), checked and parsed off the event loop, and stored by
``agendas.services.imports.import_meeting`` in one transaction. A bad file gets the catalogue
message of its refusal and stores nothing.

While a /nysag dialog or an open sag is waiting for bilag, documents go to ``handlers.sag``.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.dates import format_date, moede_when
from agendas.documents.offload import off_loop
from agendas.errors import InvalidInput
from agendas.model import Actor, Role
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus, SagRange
from agendas.services import committees
from handlers.callbacks import ImportCb, MoedeCb, RosterCb
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import Html, error_text, plain, t

if TYPE_CHECKING:
    from agendas.documents.lines import ImportResult
    from agendas.services import imports, reimport
    from agendas.services.roster import ImportedMember

log = logging.getLogger(__name__)

#: Where the waiting upload is kept in the FSM data.
DATA_KEY = "import_upload"
#: What the summary shows of one unplaced line.
UNPLACED_PREVIEW = 200
#: Room under Telegram's 4096 characters for one message of the summary.
PAGE_LIMIT = 3800
TEXT_SUFFIXES = (".txt", ".text")
TEXT_MIME_TYPES = ("text/plain",)
HTML_SUFFIXES = (".html", ".htm")
HTML_MIME_TYPES = ("text/html", "application/xhtml+xml")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def kind_of(file_name: str, mime_type: str) -> str:
    """``docx``, ``text``, ``pdf``, ``html`` or ``other``, from the name first, then the MIME
    type."""
    name = file_name.lower()
    if name.endswith(".pdf") or mime_type == "application/pdf":
        return "pdf"
    if name.endswith(HTML_SUFFIXES) or mime_type in HTML_MIME_TYPES:
        return "html"
    if name.endswith(".docx") or mime_type == DOCX_MIME:
        return "docx"
    if name.endswith(TEXT_SUFFIXES) or mime_type in TEXT_MIME_TYPES:
        return "text"
    return "other"


def parse_upload(data: bytes, kind: str) -> ImportResult:
    """A DOCX is opened as such (so a broken one is refused as one); PDF, a web page and text
    are told apart by their bytes. Runs in a worker thread, where the parsers load on first use."""
    from agendas.documents.parse import parse_document, parse_docx

    if kind == "docx":
        return parse_docx(data)
    return parse_document(data)


def pages(lines: list[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Lines joined into messages under Telegram's limit (each line is short on its own)."""
    result: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            result.append(current)
            current = line
        else:
            current = candidate
    if current:
        result.append(current)
    return result


async def offer_import(message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext) -> None:
    """A file from a secretary: check its type and size, then ask which udvalg to import into."""
    from agendas.documents.safety import MAX_DOCX_BYTES

    document = message.document
    assert document is not None
    name = document.file_name or "dokument"
    kind = kind_of(name, document.mime_type or "")
    if kind == "other":
        await message.answer(t("err-import-unsupported") + "\n\n" + t("sag-bilag-no-sag"))
        return
    if document.file_size is not None and document.file_size > MAX_DOCX_BYTES:
        await message.answer(t("err-docx-too-large", limit=MAX_DOCX_BYTES // (1024 * 1024)))
        return
    codes = [
        u.code
        for u, _ in await committees.my_udvalg(uow, actor)
        if rules.can_edit_udvalg(actor, u.id or 0)
    ]
    if not codes:
        await message.answer(t("import-upload-no-udvalg"))
        return
    await state.update_data(
        {
            DATA_KEY: {
                "file_id": document.file_id,
                "name": name,
                "kind": kind,
                "upload": message.message_id,
            }
        }
    )
    await message.answer(
        t("import-upload-offer", name=name),
        reply_markup=_offer_keyboard(codes, message.message_id),
    )


def _offer_keyboard(codes: list[str], upload: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=t("import-upload-btn", code=code),
                callback_data=ImportCb(code=code, upload=upload).pack(),
            )
        ]
        for code in codes
    ]
    no = ImportCb(code="", upload=upload).pack()
    rows.append([InlineKeyboardButton(text=t("import-upload-btn-no"), callback_data=no)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def waiting_upload(state: FSMContext, upload: int) -> dict[str, Any] | None:
    data = await state.get_data()
    waiting = data.get(DATA_KEY)
    if not isinstance(waiting, dict) or waiting.get("upload") != upload:
        return None
    return waiting


async def forget_upload(state: FSMContext) -> None:
    data = await state.get_data()
    if DATA_KEY in data:
        data.pop(DATA_KEY)
        await state.set_data(data)


async def drop_buttons(message: Message) -> None:
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:  # already without buttons (a double tap)
        log.debug("Buttons already gone: %s", exc.message)


async def import_chosen(
    query: CallbackQuery,
    callback_data: ImportCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """The secretary chose the udvalg (or declined): download, parse, import, summarise."""
    from agendas.services import imports, reimport

    message = await chat_message(query)
    waiting = await waiting_upload(state, callback_data.upload)
    if waiting is None:
        await query.answer(plain("import-upload-stale"), show_alert=True)
        await drop_buttons(message)
        return
    await query.answer()
    await drop_buttons(message)
    if not callback_data.code:
        await forget_upload(state)
        await message.answer(t("import-upload-declined"))
        return
    update = callback_data.update or None
    try:
        result = await _download_and_parse(bot, waiting)
        imported = await imports.import_meeting(
            uow, actor, callback_data.code, result, config.now(), config.timezone, update
        )
    except reimport.AlreadyImported as again:
        # Nothing stored: what differs, and the choice to update that meeting (the file keeps
        # waiting in the dialog data for it).
        await message.answer(
            again_text(again.diff),
            reply_markup=_again_keyboard(callback_data, again.diff.moede_id),
        )
        return
    except InvalidInput as exc:
        await forget_upload(state)
        await message.answer(error_text(exc))
        return
    except TelegramBadRequest as exc:
        log.warning("Could not download an upload for import: %s", exc.message)
        await message.answer(t("import-upload-download-failed"))
        return
    await forget_upload(state)
    await _send_summary(message, imported, config.timezone)
    if imported.unknown_members:
        await offer_roster(message, state, imported)


def again_text(diff: reimport.ImportDiff) -> str:
    """The meeting is there already: what the document would change."""
    lines = [t("import-again", date=format_date(diff.date))]
    for key, titles in (
        ("import-again-changed", diff.changed),
        ("import-again-added", diff.added),
        ("import-again-missing", diff.missing),
    ):
        if titles:
            lines.append(t(key, titles=Html(html.escape("; ".join(titles), quote=False))))
    if not (diff.changed or diff.added):
        lines.append(t("import-again-same"))
    return "\n".join(lines)


def _again_keyboard(cb: ImportCb, moede_id: int) -> InlineKeyboardMarkup:
    update = ImportCb(code=cb.code, upload=cb.upload, update=moede_id).pack()
    no = ImportCb(code="", upload=cb.upload).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t("import-again-btn-update"), callback_data=update)],
            [InlineKeyboardButton(text=t("import-upload-btn-no"), callback_data=no)],
        ]
    )


async def _download_and_parse(bot: Bot, waiting: dict[str, Any]) -> ImportResult:
    """The waiting upload fetched from Telegram (no more than the size limit) and parsed."""
    from agendas.documents.safety import MAX_DOCX_BYTES

    downloaded = await bot.download(str(waiting["file_id"]))
    data = downloaded.read(MAX_DOCX_BYTES + 1) if downloaded is not None else b""
    return await off_loop(parse_upload, data, str(waiting["kind"]))


async def _send_summary(message: Message, imported: imports.ImportedMeeting, zone: str) -> None:
    """The summary in pages; the last one carries the button to the agenda."""
    texts = summary(imported, zone)
    agenda_cb = MoedeCb(action="agenda", moede_id=imported.moede.id or 0).pack()
    button = InlineKeyboardButton(text=t("agenda-btn-agenda"), callback_data=agenda_cb)
    agenda = InlineKeyboardMarkup(inline_keyboard=[[button]])
    for number, page in enumerate(texts, 1):
        await message.answer(page, reply_markup=agenda if number == len(texts) else None)


def summary(imported: imports.ImportedMeeting, zone: str) -> list[str]:
    from agendas.services import imports

    moede = imported.moede
    lines = [
        t(
            "import-upload-done",
            udvalg=imported.udvalg.name,
            code=imported.udvalg.code,
            when=moede_when(t, moede.date, moede.start_time),
            count=len(imported.punkter),
        )
    ]
    if moede.place:
        lines.append(t("import-upload-place", place=moede.place))
    end = imports.local_end_time(moede, zone)
    if end:
        lines.append(t("import-upload-ended", time=end.replace(":", ".")))
    lines.append("")
    for entry in imported.punkter:
        punkt = entry.punkt
        label = html.escape(clip(punkt.title, 120), quote=False)
        decided = " ✅" if entry.record.decision_text() else ""
        lines.append(f"{punkt.number}. {label}{decided}")
        found = entry.found()
        lines.append(
            "    <i>"
            + html.escape(", ".join(found) if found else t("import-upload-nothing-found"))
            + "</i>"
        )
    lines.append("")
    if imported.unplaced:
        count = len(imported.unplaced)
        key = "moede-import-unplaced-one" if count == 1 else "moede-import-unplaced-other"
        lines.append(t(key, count=count))
        lines += [
            "• "
            + html.escape(
                t(
                    "moede-import-unplaced-line",
                    line=item.line,
                    text=clip(item.text, UNPLACED_PREVIEW),
                ),
                quote=False,
            )
            for item in imported.unplaced
        ]
    else:
        lines.append(t("moede-import-all-placed"))
    if imported.notes:
        lines += ["", t("moede-import-notes")]
        lines += ["• " + t(note.key, **note.params) for note in imported.notes]
    return pages(lines)


# --- members the document names who are not on the roster ------------------------------------

#: Where the members waiting to be added are kept in the FSM data.
ROSTER_KEY = "import_roster"


def _member_data(member: ImportedMember) -> dict[str, Any]:
    return {
        "name": member.name,
        "party": member.party,
        "title": member.title.value if member.title else None,
        "status": member.status.value,
        "substitute_for": member.substitute_for,
        "absent_for": [[r.first, r.last] for r in member.absent_for],
    }


def _member_of(data: dict[str, Any]) -> ImportedMember:
    from agendas.services.roster import ImportedMember

    return ImportedMember(
        name=str(data["name"]),
        party=str(data.get("party") or ""),
        title=Role(data["title"]) if data.get("title") else None,
        status=AttendanceStatus(data.get("status") or AttendanceStatus.TIL_STEDE.value),
        substitute_for=str(data.get("substitute_for") or ""),
        absent_for=tuple(SagRange(int(a), int(b)) for a, b in data.get("absent_for") or []),
    )


async def offer_roster(
    message: Message, state: FSMContext, imported: imports.ImportedMeeting
) -> None:
    """The members the protocol names who are not on the roster: offered to be added (with
    their attendance at this meeting) after the secretary confirms; nothing is added before."""
    moede_id = imported.moede.id or 0
    await state.update_data(
        {
            ROSTER_KEY: {
                "moede_id": moede_id,
                "members": [_member_data(m) for m in imported.unknown_members],
            }
        }
    )
    names = "\n".join("• " + html.escape(m.label(), quote=False) for m in imported.unknown_members)
    code = imported.udvalg.code
    yes = RosterCb(action="imp", code=code, moede_id=moede_id).pack()
    no = RosterCb(action="impno", code=code, moede_id=moede_id).pack()
    await message.answer(
        t(
            "roster-import-offer-one"
            if len(imported.unknown_members) == 1
            else "roster-import-offer-other",
            code=code,
            count=len(imported.unknown_members),
        )
        + "\n"
        + names,
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=t("roster-btn-import-add"), callback_data=yes)],
                [InlineKeyboardButton(text=t("roster-btn-import-no"), callback_data=no)],
            ]
        ),
    )


async def roster_chosen(
    query: CallbackQuery,
    callback_data: RosterCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """ "Tilføj til medlemslisten": the waiting members are added and their attendance at the
    imported meeting stored (``agendas.services.roster.add_imported``)."""
    from agendas.services import roster

    message = await chat_message(query)
    data = await state.get_data()
    waiting = data.get(ROSTER_KEY)
    if not isinstance(waiting, dict) or waiting.get("moede_id") != callback_data.moede_id:
        await query.answer(plain("roster-import-stale"), show_alert=True)
        await drop_buttons(message)
        return
    data.pop(ROSTER_KEY)
    await state.set_data(data)
    await query.answer()
    await drop_buttons(message)
    if callback_data.action == "impno":
        await message.answer(t("roster-import-declined", code=callback_data.code))
        return
    members = [_member_of(m) for m in waiting.get("members") or []]
    added = await roster.add_imported(uow, actor, callback_data.moede_id, members, config.now())
    names = ", ".join(m.label() for m in added)
    if added:
        await message.answer(t("roster-import-added", names=names, code=callback_data.code))
    else:
        await message.answer(t("roster-import-none", code=callback_data.code))


def setup() -> Router:
    router = Router(name="imports")
    router.callback_query.register(import_chosen, ImportCb.filter())
    router.callback_query.register(roster_chosen, RosterCb.filter(F.action.in_({"imp", "impno"})))
    return router
