"""The archive's routes: thin like the chat handlers. Each reads the request, calls one use case
of ``agendas.services.archive`` (or the search service) with a fresh unit of work, and renders a
template or a file. What is missing or not public raises ``NotFound``: a Danish 404 page."""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from agendas import search as engine
from agendas.archive import committee_path, mask_contact_details, meeting_path
from agendas.calendar import MeetingEvent, committee_ics
from agendas.documents.html_render import render_body
from agendas.documents.html_render import stylesheet as html_stylesheet
from agendas.documents.offload import off_loop
from agendas.documents.pdf_render import PdfUnavailable
from agendas.errors import InvalidInput, NotFound
from agendas.search import Snippet
from agendas.services import archive
from agendas.services.archive import (
    ArchiveEntry,
    ArchiveSearch,
    CommitteeArchive,
    DocumentKind,
    FileFormat,
    PublicMeeting,
)
from web.app import CONFIG, RENDERERS, TRANSLATE, UOW, absolute, asset, long_date, render
from web.feeds import atom_feed

#: Pages change when a secretary edits a released agenda: caches keep them a minute.
PAGE_CACHE = "public, max-age=60"


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/", index)
    router.add_get("/arkiv.css", stylesheet)
    router.add_get("/dokument.css", document_stylesheet)
    router.add_get("/tilgaengelighed", accessibility)
    router.add_get("/referater.atom", feed)
    router.add_get("/soeg", search)
    router.add_get("/udvalg/{code}", committee)
    router.add_get("/udvalg/{code}/kalender.ics", calendar)
    router.add_get("/udvalg/{code}/{slug}", meeting)
    router.add_get("/udvalg/{code}/{slug}/{kind:dagsorden|referat}.{fmt:pdf|docx}", download)


def _page(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


async def index(request: web.Request) -> web.Response:
    committees = await archive.list_committees(request.app[UOW]())
    return _page(render(request, "index.html", committees=committees))


async def stylesheet(request: web.Request) -> web.Response:
    response = web.Response(text=asset("arkiv.css"), content_type="text/css", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


async def accessibility(request: web.Request) -> web.Response:
    return _page(render(request, "tilgaengelighed.html"))


def follow_link(request: web.Request) -> str | None:
    """The bot in Telegram, where a member of the public may ask to follow the udvalg."""
    username = request.app[CONFIG].bot_username
    return f"https://t.me/{quote(username.lstrip('@'))}" if username else None


async def committee(request: web.Request) -> web.Response:
    found = await archive.committee_archive(request.app[UOW](), request.match_info["code"])
    years = [
        (year, list(entries))
        for year, entries in itertools.groupby(found.meetings, key=lambda e: e.moede.date.year)
    ]
    return _page(
        render(
            request,
            "udvalg.html",
            udvalg=found.udvalg,
            years=years,
            path=committee_path(found.udvalg.code),
            follow=follow_link(request),
        )
    )


def _event(request: web.Request, found: CommitteeArchive, entry: ArchiveEntry) -> MeetingEvent:
    udvalg, moede = found.udvalg, entry.moede
    url = absolute(request, meeting_path(udvalg.code, moede.date, entry.ordinal))
    return MeetingEvent(
        moede_id=moede.id or 0,
        udvalg_name=udvalg.name,
        udvalg_code=udvalg.code,
        day=moede.date,
        start=moede.start_time,
        place=moede.place,
        zone=request.app[CONFIG].zone,
        sequence=entry.sequence,
        description=url,
        stamp=entry.released_at or entry.approved_at,
        url=url,
        duration=timedelta(minutes=udvalg.meeting_minutes),
    )


async def calendar(request: web.Request) -> web.Response:
    found = await archive.committee_archive(request.app[UOW](), request.match_info["code"])
    events = [_event(request, found, e) for e in reversed(found.meetings)]
    response = web.Response(
        body=committee_ics(found.udvalg.name, events), content_type="text/calendar"
    )
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = _disposition(
        f"{found.udvalg.code}-moeder.ics", inline=True
    )
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


DOWNLOAD_KEYS = {
    (DocumentKind.DAGSORDEN, FileFormat.PDF): "web-download-dagsorden-pdf",
    (DocumentKind.DAGSORDEN, FileFormat.DOCX): "web-download-dagsorden-docx",
    (DocumentKind.REFERAT, FileFormat.PDF): "web-download-referat-pdf",
    (DocumentKind.REFERAT, FileFormat.DOCX): "web-download-referat-docx",
}


@dataclass(frozen=True, slots=True)
class Download:
    key: str
    href: str


def downloads(request: web.Request, meeting: PublicMeeting) -> list[Download]:
    base = meeting_path(meeting.udvalg.code, meeting.entry.moede.date, meeting.entry.ordinal)
    kinds = [DocumentKind.DAGSORDEN] + ([DocumentKind.REFERAT] if meeting.entry.approved else [])
    formats = [f for f in (FileFormat.PDF, FileFormat.DOCX) if f in request.app[RENDERERS]]
    return [
        Download(DOWNLOAD_KEYS[kind, fmt], f"{base}/{kind.value}.{fmt.value}")
        for kind in kinds
        for fmt in formats
    ]


async def meeting(request: web.Request) -> web.Response:
    """The meeting as its public document shows it (the same HTML the PDF/A is printed from):
    the released agenda, or the approved protocol."""
    config = request.app[CONFIG]
    found = await archive.public_meeting(
        request.app[UOW](), request.match_info["code"], request.match_info["slug"], config.zone
    )
    approved = found.entry.approved
    title_key = "web-meeting-title-protocol" if approved else "web-meeting-title-agenda"
    moede = found.entry.moede
    # The document's HTML is rendered like its Word and PDF files: off the event loop.
    body = await off_loop(render_body, found.document, protokol=approved, public=True)
    return _page(
        render(
            request,
            "moede.html",
            meeting=found,
            title=request.app[TRANSLATE](
                title_key, udvalg=found.udvalg.name, date=long_date(moede.date)
            ),
            body=Markup(body),
            downloads=downloads(request, found),
            path=meeting_path(found.udvalg.code, moede.date, found.entry.ordinal),
        )
    )


async def document_stylesheet(request: web.Request) -> web.Response:
    """The document's own styles (``agendas/documents/templates/meeting.css``)."""
    response = web.Response(text=html_stylesheet(), content_type="text/css", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


async def download(request: web.Request) -> web.Response:
    renderer = request.app[RENDERERS].get(FileFormat(request.match_info["fmt"]))
    if renderer is None:  # no PDF tool on this server: Word files only
        raise NotFound("err-moede-gone")
    try:
        found = await archive.public_file(
            request.app[UOW](),
            request.match_info["code"],
            request.match_info["slug"],
            DocumentKind(request.match_info["kind"]),
            FileFormat(request.match_info["fmt"]),
            request.app[CONFIG].zone,
            renderer,
        )
    except PdfUnavailable as exc:
        raise web.HTTPServiceUnavailable() from exc
    response = web.Response(body=found.content, content_type=found.media_type)
    response.headers["Content-Disposition"] = _disposition(found.file_name)
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


async def feed(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    meetings = await archive.recent_protocols(request.app[UOW](), config.zone)
    body = atom_feed(
        meetings,
        self_url=absolute(request, "/referater.atom"),
        home_url=absolute(request, "/"),
        url_for=lambda path: absolute(request, path),
        t=request.app[TRANSLATE],
        pdf=config.pdf is not None,
        now=datetime.now(UTC),
    )
    response = web.Response(body=body, content_type="application/atom+xml")
    response.charset = "utf-8"
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


#: The chat's search errors, as the archive words them (no /soeg examples on a web page).
SEARCH_ERRORS = {
    "search-err-empty": "web-search-err-empty",
    "search-err-only-filters": "web-search-err-empty",
    "search-err-too-long": "web-search-err-too-long",
    "search-err-too-many": "web-search-err-too-many",
    "search-err-field-empty": "web-search-err-field",
    "search-err-common": "web-search-err-common",
    "search-err-udvalg-public": "web-search-err-udvalg",
}
#: The longest query the archive passes on (the engine refuses longer ones with a message).
MAX_QUERY = 2 * engine.MAX_QUERY


@dataclass(frozen=True, slots=True)
class SearchHitView:
    href: str
    title: Markup
    snippet: Markup
    udvalg: str
    date: date
    punkt: int
    closed: bool


def _marked(snippet: Snippet) -> Markup:
    return Markup(snippet.marked("<mark>", "</mark>", html.escape))


async def search(request: web.Request) -> web.Response:
    """The same engine as ``/soeg``, public versions only; ``?q=…&side=2``."""
    t = request.app[TRANSLATE]
    text = request.query.get("q", "")[:MAX_QUERY].strip()
    try:
        page = max(0, int(request.query.get("side", "1")) - 1)
    except ValueError:
        page = 0
    found: ArchiveSearch | None = None
    error = ""
    if text:
        try:
            found = await archive.search_archive(request.app[UOW](), text, page)
        except InvalidInput as exc:
            error = t(SEARCH_ERRORS.get(exc.key, "web-search-err-empty"), **exc.params)
    hits = [
        SearchHitView(
            href=f"{hit.path}#punkt-{hit.result.punkt_number}",
            title=_marked(hit.result.title),
            snippet=_marked(hit.result.snippet),
            udvalg=hit.result.udvalg_name,
            date=hit.result.moede_date,
            punkt=hit.result.punkt_number,
            closed=hit.result.closed,
        )
        for hit in (found.hits if found else [])
    ]
    # The query is shown back as it was run: contact details masked there too.
    shown = mask_contact_details(text)
    response = render(request, "soeg.html", query=shown, found=found, hits=hits, error=error)
    return _page(response)


def _disposition(file_name: str, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (ASCII fallback for old clients)."""
    fallback = file_name.encode("ascii", "replace").decode("ascii").replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"
