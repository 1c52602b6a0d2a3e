"""The public web archive's use cases: the committees and meetings the public may see, a
meeting's public version and its documents, the protocols approved most recently, and the
public address of a meeting for the chat's links.

There is no actor: everything returned is public. A meeting is public once its agenda is
released (``/udsend``) or its protocol approved (godkendt); its decisions and attendance only
once the protocol is approved. What is not public raises ``NotFound`` exactly like what does
not exist, so an unreleased meeting cannot be told apart from a missing one.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from agendas.archive import (
    PublicPunkt,
    mask_contact_details,
    meeting_path,
    meeting_slug,
    newest_first,
    parse_slug,
    public_document,
    public_meeting_url,
    public_punkter,
    slug_ordinals,
    without_contact_details,
)
from agendas.documents.offload import off_loop
from agendas.errors import NotFound
from agendas.meeting.loading import meeting_view
from agendas.meeting_view import to_document
from agendas.model import Moede, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol import MeetingDocument
from agendas.records import ProtokolStage
from agendas.search import Snippet, highlight
from agendas.services.search import SearchPage, SearchResult, search_public

#: How many approved protocols the news feed carries.
FEED_SIZE = 20
#: Search results per page in the archive.
SEARCH_PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """A meeting the public may see, with when it became public."""

    moede: Moede
    ordinal: int
    released_at: datetime | None
    #: When the protocol was approved (locked); None while only the agenda is public.
    approved_at: datetime | None
    #: The .ics SEQUENCE of the meeting (bumped each time it moved after the release).
    sequence: int = 0

    @property
    def slug(self) -> str:
        return meeting_slug(self.moede.date, self.ordinal)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


@dataclass(frozen=True, slots=True)
class CommitteeArchive:
    udvalg: Udvalg
    #: Newest first.
    meetings: list[ArchiveEntry]


@dataclass(frozen=True, slots=True)
class PublicMeeting:
    udvalg: Udvalg
    entry: ArchiveEntry
    #: The public version (``agendas.archive.public_document``): what the downloads render.
    document: MeetingDocument
    punkter: list[PublicPunkt]


async def _entries(uow: UnitOfWork, udvalg: Udvalg) -> list[ArchiveEntry]:
    moeder = await uow.moeder.for_udvalg(udvalg.id or 0)
    ids = [m.id or 0 for m in moeder]
    releases = await uow.releases.for_moeder(ids)
    states = await uow.protokoller.for_moeder(ids)
    ordinals = slug_ordinals(moeder)
    entries = []
    for moede in newest_first(moeder):
        moede_id = moede.id or 0
        release = releases.get(moede_id)
        state = states.get(moede_id)
        approved = state is not None and state.stage is ProtokolStage.GODKENDT
        if release is None and not approved:
            continue
        entries.append(
            ArchiveEntry(
                moede=dataclasses.replace(moede, place=mask_contact_details(moede.place)),
                ordinal=ordinals[moede_id],
                released_at=release.released_at if release else None,
                approved_at=(state.locked_at or moede.starts_at) if state and approved else None,
                sequence=release.sequence if release else 0,
            )
        )
    return entries


async def _udvalg(uow: UnitOfWork, code: str) -> Udvalg:
    udvalg = await uow.udvalg.by_code(code.strip().upper())
    if udvalg is None:
        raise NotFound("err-udvalg-unknown", code=code.strip().upper())
    return udvalg


async def list_committees(uow: UnitOfWork) -> list[CommitteeArchive]:
    """Every udvalg, by name, with its public meetings (an udvalg with none is listed too: its
    page says so, and its calendar feed may be subscribed to before the first release)."""
    async with uow:
        result = [CommitteeArchive(u, await _entries(uow, u)) for u in await uow.udvalg.list_all()]
    return sorted(result, key=lambda c: c.udvalg.name.casefold())


async def committee_archive(uow: UnitOfWork, code: str) -> CommitteeArchive:
    async with uow:
        udvalg = await _udvalg(uow, code)
        return CommitteeArchive(udvalg, await _entries(uow, udvalg))


async def _public(uow: UnitOfWork, udvalg: Udvalg, entry: ArchiveEntry, zone: str) -> PublicMeeting:
    view = await meeting_view(uow, entry.moede)
    found = await uow.bilag.for_punkter([p.id or 0 for p in view.punkter])
    bilag = {pid: [b.file_name for b in items] for pid, items in found.items()}
    document = public_document(to_document(view, bilag, zone), entry.approved)
    return PublicMeeting(
        udvalg=udvalg,
        entry=entry,
        document=document,
        punkter=public_punkter(document, entry.approved),
    )


async def public_meeting(uow: UnitOfWork, code: str, slug: str, zone: str) -> PublicMeeting:
    """The public version of the meeting at ``/udvalg/<code>/<slug>``; ``NotFound`` when there
    is none or it is not public yet."""
    parsed = parse_slug(slug)
    if parsed is None:
        raise NotFound("err-moede-gone")
    day, ordinal = parsed
    async with uow:
        udvalg = await _udvalg(uow, code)
        entry = next(
            (
                e
                for e in await _entries(uow, udvalg)
                if e.moede.date == day and e.ordinal == ordinal
            ),
            None,
        )
        if entry is None:
            raise NotFound("err-moede-gone")
        return await _public(uow, udvalg, entry, zone)


async def recent_protocols(
    uow: UnitOfWork, zone: str, limit: int = FEED_SIZE
) -> list[PublicMeeting]:
    """The protocols approved most recently, newest first, in their public version."""
    result = []
    async with uow:
        committees = {u.id or 0: u for u in await uow.udvalg.list_all()}
        # Each udvalg's archive once, however many of the feed's protocols are its.
        entries: dict[int, dict[int, ArchiveEntry]] = {}
        for state in await uow.protokoller.approved(limit):
            moede = await uow.moeder.get(state.moede_id)
            udvalg = committees.get(moede.udvalg_id) if moede else None
            if moede is None or udvalg is None:
                continue
            if udvalg.id not in entries:
                listed = await _entries(uow, udvalg)
                entries[udvalg.id or 0] = {e.moede.id or 0: e for e in listed}
            entry = entries[udvalg.id or 0].get(moede.id or 0)
            if entry is not None:
                result.append(await _public(uow, udvalg, entry, zone))
    return result


class DocumentKind(enum.StrEnum):
    DAGSORDEN = "dagsorden"
    REFERAT = "referat"


class FileFormat(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"


MEDIA_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

#: A renderer of the public document: (document, protokol) -> bytes.
Renderer = Callable[[MeetingDocument, bool], bytes]


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    content: bytes
    file_name: str
    media_type: str


def file_name(meeting: PublicMeeting, kind: DocumentKind, fmt: FileFormat) -> str:
    """``Dagsorden BEU 2026-03-04.pdf``, ``Referat BEU 2026-03-04-2.docx``."""
    label = "Dagsorden" if kind is DocumentKind.DAGSORDEN else "Referat"
    return f"{label} {meeting.udvalg.code} {meeting.entry.slug}.{fmt.value}"


def cached(renderer: Renderer, size: int = 32) -> Renderer:
    """``renderer`` remembering its last ``size`` files by the document's content: a page
    read by many (or a crawler) is rendered once, and a changed document again."""
    cache: OrderedDict[str, bytes] = OrderedDict()
    lock = threading.Lock()

    def render(document: MeetingDocument, protokol: bool) -> bytes:
        key = hashlib.sha256(f"{protokol}:{document!r}".encode()).hexdigest()
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        content = renderer(document, protokol)
        with lock:
            cache[key] = content
            while len(cache) > size:
                cache.popitem(last=False)
        return content

    return render


def docx_renderer(template: bytes | None) -> Renderer:
    """The Word renderer's public edition (with the municipality's template, if any)."""

    def render(document: MeetingDocument, protokol: bool) -> bytes:
        from agendas.documents.render import render_dagsorden, render_protokol  # on first use

        render_word = render_protokol if protokol else render_dagsorden
        return render_word(document, True, template)

    return render


async def public_file(
    uow: UnitOfWork,
    code: str,
    slug: str,
    kind: DocumentKind,
    fmt: FileFormat,
    zone: str,
    renderer: Renderer,
) -> ArchiveFile:
    """A public meeting's dagsorden, or its referat once approved, rendered off the event loop
    by ``renderer`` (the Word renderer's public edition, or the PDF/A renderer)."""
    meeting = await public_meeting(uow, code, slug, zone)
    protokol = kind is DocumentKind.REFERAT
    if protokol and not meeting.entry.approved:
        raise NotFound("err-moede-gone")
    content = await off_loop(renderer, meeting.document, protokol)
    return ArchiveFile(content, file_name(meeting, kind, fmt), MEDIA_TYPES[fmt])


async def meeting_url(uow: UnitOfWork, moede: Moede, udvalg: Udvalg, base_url: str) -> str:
    """The public page's address of ``moede`` (in the caller's transaction). The page shows
    only what is public; the caller links it once the meeting is released or approved."""
    same_day = await uow.moeder.for_udvalg_between([udvalg.id or 0], moede.date, moede.date)
    ordinal = slug_ordinals(same_day).get(moede.id or 0, 1)
    return public_meeting_url(base_url, udvalg.code, moede.date, ordinal)


async def public_paths(uow: UnitOfWork, moede_ids: Iterable[int]) -> dict[int, str]:
    """The archive paths (``/udvalg/beu/2026-03-04``) of those of these meetings that are
    public (released or approved), by meeting id; in the caller's transaction. Five queries
    however many meetings (a search page's results): none per meeting."""
    wanted = sorted(set(moede_ids))
    releases = await uow.releases.for_moeder(wanted)
    states = await uow.protokoller.for_moeder(wanted)
    public = [
        moede_id
        for moede_id in wanted
        if moede_id in releases
        or ((state := states.get(moede_id)) is not None and state.stage is ProtokolStage.GODKENDT)
    ]
    if not public:
        return {}
    moeder = await uow.moeder.many(public)
    committees = {u.id: u for u in await uow.udvalg.list_all()}
    same_days: dict[int, list[Moede]] = defaultdict(list)
    for other in await uow.moeder.on_days(
        [m.udvalg_id for m in moeder.values()], [m.date for m in moeder.values()]
    ):
        same_days[other.udvalg_id].append(other)
    ordinals: dict[int, int] = {}
    for of_one_udvalg in same_days.values():
        ordinals.update(slug_ordinals(of_one_udvalg))
    paths: dict[int, str] = {}
    for moede_id in public:
        moede = moeder.get(moede_id)
        udvalg = committees.get(moede.udvalg_id) if moede else None
        if moede is None or udvalg is None:
            continue
        paths[moede_id] = meeting_path(udvalg.code, moede.date, ordinals.get(moede_id, 1))
    return paths


async def public_urls(uow: UnitOfWork, moede_ids: Iterable[int], base_url: str) -> dict[int, str]:
    """``public_paths`` as addresses under the archive's ``base_url`` (ARCHIVE_BASE_URL), for
    the links in chat (``/soeg``)."""
    async with uow:
        paths = await public_paths(uow, moede_ids)
    return {k: base_url.rstrip("/") + v for k, v in paths.items()}


@dataclass(frozen=True, slots=True)
class ArchiveHit:
    """A search result and the path of its meeting's public page."""

    result: SearchResult
    path: str


@dataclass(frozen=True, slots=True)
class ArchiveSearch:
    page: SearchPage
    hits: list[ArchiveHit]
    #: The query as it was run (contact details left out).
    query: str


def _masked(snippet: Snippet, stems: frozenset[str]) -> Snippet:
    """The snippet with contact details masked (marked again, since a mask joins words)."""
    masked = mask_contact_details(snippet.text)
    return snippet if masked == snippet.text else highlight(masked, stems)


async def search_archive(
    uow: UnitOfWork, text: str, page: int = 0, page_size: int = SEARCH_PAGE_SIZE
) -> ArchiveSearch:
    """The web archive's search: ``search_public`` (the same index as ``/soeg``, public
    versions only), each hit with its meeting's page; contact details are neither searched
    nor shown. ``InvalidInput`` for a query the engine refuses (empty, too long …)."""
    query = without_contact_details(text)
    found = await search_public(uow, query, page, page_size)
    stems = found.query.stems()
    async with uow:
        paths = await public_paths(uow, [r.moede_id for r in found.results])
    hits = [
        ArchiveHit(
            dataclasses.replace(
                result,
                title=_masked(result.title, stems),
                snippet=_masked(result.snippet, stems),
            ),
            paths[result.moede_id],
        )
        for result in found.results
        if result.moede_id in paths
    ]
    return ArchiveSearch(found, hits, query)
