"""/soeg: full-text search of the udvalg's punkter, a page of results at a time.

Each result shows udvalg, meeting date, punkt number and title, and a snippet with the hits in
bold, and has a button that opens the punkt the way /dagsorden does (``PunktCb`` "open": a
closed punkt opens only for those who may read it). The query itself does not fit in callback
data: it is kept in the dialog data under the results message's id, so paging and sorting edit
that message in place; a button whose query is gone asks for a new search.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.dates import format_date
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.search import SearchSort
from handlers.callbacks import DbInt, PunktCb
from handlers.chat import button, chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import Html, t

if TYPE_CHECKING:
    from agendas.services.search import SearchPage, SearchResult

#: Dialog data key: results message id -> query text, for the newest few searches.
DATA_KEY = "soeg"
KEPT = 10
_SORT_CODES = {SearchSort.NEWEST: "n", SearchSort.RELEVANCE: "r"}
_SORTS = {code: sort for sort, code in _SORT_CODES.items()}


class SearchCb(CallbackData, prefix="sg"):
    """A button under search results: ``page`` shows page ``page`` (from 0) in ``sort`` order,
    ``sort`` re-sorts (``n`` newest first, ``r`` relevance) from the first page."""

    action: str
    page: DbInt = 0
    sort: str = "n"


def result_text(number: int, result: SearchResult, public_url: str | None = None) -> str:
    """The result's lines; ``public_url``: its meeting's page in the web archive (the punkt)."""
    lock = "🔒 " if result.closed else ""
    lines = [
        t(
            "search-result",
            number=number,
            code=result.udvalg_code,
            date=format_date(result.moede_date),
            punkt=result.punkt_number,
            lock=lock,
            title=Html(result.title.marked("<b>", "</b>", _escape)),
        )
    ]
    if result.snippet:
        lines.append(f"<i>{result.snippet.marked('<b>', '</b>', _escape)}</i>")
    if public_url:
        href = html.escape(f"{public_url}#punkt-{result.punkt_number}", quote=True)
        lines.append(f'🌐 <a href="{href}">{html.escape(t("search-public-link"))}</a>')
    return "\n".join(lines)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def page_text(page: SearchPage, query_text: str, public_urls: dict[int, str] | None = None) -> str:
    """The results; ``public_urls``: the public page of each meeting that has one, by id."""
    urls = public_urls or {}
    if not page.total:
        return t("search-none", query=query_text)
    count = t("search-count-one" if page.total == 1 else "search-count-other", count=page.total)
    order = t(
        "search-sorted-relevance"
        if page.query.sort is SearchSort.RELEVANCE
        else "search-sorted-newest"
    )
    head = t(
        "search-head",
        count=Html(count),
        query=query_text,
        order=order,
        page=page.page + 1,
        pages=page.pages,
    )
    items = [
        result_text(page.first_number + i, r, urls.get(r.moede_id))
        for i, r in enumerate(page.results)
    ]
    return "\n\n".join([head, *items])


def page_keyboard(page: SearchPage, actor: Actor) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for index, result in enumerate(page.results):
        if result.closed and not rules.can_read_closed(actor, result.udvalg_id):
            continue  # its content is not theirs to open (the title stays in the list)
        label = clip(f"{page.first_number + index}. {result.udvalg_code} {result.plain_title}")
        rows.append([button(label, PunktCb(action="open", punkt_id=result.punkt_id))])
    sort = _SORT_CODES[page.query.sort]
    nav = []
    if page.has_previous:
        nav.append(
            button(t("search-btn-previous"), SearchCb(action="page", page=page.page - 1, sort=sort))
        )
    if page.has_next:
        nav.append(
            button(t("search-btn-next"), SearchCb(action="page", page=page.page + 1, sort=sort))
        )
    if nav:
        rows.append(nav)
    if page.total > 1:
        other = (
            SearchSort.NEWEST if page.query.sort is SearchSort.RELEVANCE else SearchSort.RELEVANCE
        )
        key = "search-btn-newest" if other is SearchSort.NEWEST else "search-btn-relevance"
        rows.append([button(t(key), SearchCb(action="sort", sort=_SORT_CODES[other]))])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def _remember(state: FSMContext, message_id: int, text: str) -> None:
    kept: dict[str, str] = dict((await state.get_data()).get(DATA_KEY) or {})
    kept[str(message_id)] = text
    newest = sorted(kept, key=int)[-KEPT:]
    await state.update_data({DATA_KEY: {k: kept[k] for k in newest}})


async def _links(uow: UnitOfWork, page: SearchPage, config: ChatConfig) -> dict[int, str]:
    """The public pages of the results' meetings (released or approved), with ARCHIVE_BASE_URL."""
    from agendas.services import archive

    if not config.archive_base_url or not page.results:
        return {}
    moeder = [r.moede_id for r in page.results]
    return await archive.public_urls(uow, moeder, config.archive_base_url)


async def search_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """/soeg ord …: the first page, newest first (or by relevance with ``relevans``)."""
    from agendas.services import search

    text = (command.args or "").strip()
    page = await search.search_member(uow, actor, text)
    links = await _links(uow, page, config)
    sent = await message.answer(
        page_text(page, text, links), reply_markup=page_keyboard(page, actor)
    )
    if page.total:
        await _remember(state, sent.message_id, text)


async def _show(
    query: CallbackQuery,
    callback_data: SearchCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
    page_number: int,
) -> None:
    from agendas.services import search

    message = await chat_message(query)
    kept = (await state.get_data()).get(DATA_KEY) or {}
    text = kept.get(str(message.message_id))
    if text is None:
        await query.answer(t("search-stale"), show_alert=True)
        return
    sort = _SORTS.get(callback_data.sort, SearchSort.NEWEST)
    page = await search.search_member(uow, actor, text, page=page_number, sort=sort)
    links = await _links(uow, page, config)
    await query.answer()
    await message.edit_text(page_text(page, text, links), reply_markup=page_keyboard(page, actor))


async def show_page(
    query: CallbackQuery,
    callback_data: SearchCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """◀️/▶️: another page of the same search."""
    await _show(query, callback_data, actor, uow, state, config, callback_data.page)


async def change_sort(
    query: CallbackQuery,
    callback_data: SearchCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """Sort by relevance or newest first, from the first page."""
    await _show(query, callback_data, actor, uow, state, config, 0)


def setup() -> Router:
    router = Router(name="search")
    router.message.filter(F.chat.type == "private")
    router.message.register(search_command, Command("soeg", "søg", "search"))
    router.callback_query.register(show_page, SearchCb.filter(F.action == "page"))
    router.callback_query.register(change_sort, SearchCb.filter(F.action == "sort"))
    return router
