"""The documents of a meeting: which meeting /protokol means, who gets which version, and
``protokol_document``, the one use case behind /protokol, /dagsorden pdf, the buttons and
``udvalgsbot export``: it reads everything in one transaction and renders the file (Word, or
PDF/A with ``pdf``) after that has closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from agendas import rules
from agendas.documents.offload import off_loop
from agendas.meeting.loading import meeting_view
from agendas.meeting_view import MeetingView, file_name, to_document
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol import MeetingDocument
from agendas.services.common import load_moede, require_reader
from agendas.services.meetings import MoedeListing, list_moeder


async def protokol_moede(
    uow: UnitOfWork, actor: Actor, now: datetime, on: date | None = None
) -> MoedeListing | None:
    """The meeting held ``on`` that day (any time back), else the latest meeting that has
    started, else the next one."""
    if on is not None:
        return await _moeder_between(uow, actor, on, on, latest=False)
    listing = await list_moeder(uow, actor, now.date())
    if not listing:  # nothing recent or coming: the last meeting there ever was
        return await _latest_until(uow, actor, now.date())
    started = [x for x in listing if x.moede.starts_at and x.moede.starts_at <= now]
    if started:
        return started[-1]
    return listing[0] if listing else None


async def _moeder_between(
    uow: UnitOfWork, actor: Actor, first: date, last: date, latest: bool
) -> MoedeListing | None:
    """The first (or ``latest``) meeting from ``first`` to ``last`` in the person's udvalg."""
    async with uow:
        udvalg = {
            u.id: u
            for u in await uow.udvalg.list_all()
            if u.id is not None and (actor.is_admin or actor.roles_in(u.id))
        }
        moeder = await uow.moeder.for_udvalg_between([k for k in udvalg if k], first, last)
    if not moeder:
        return None
    moeder.sort(key=lambda m: (m.date, m.clock))
    chosen = moeder[-1] if latest else moeder[0]
    return MoedeListing(chosen, udvalg[chosen.udvalg_id])


async def _latest_until(uow: UnitOfWork, actor: Actor, last: date) -> MoedeListing | None:
    """The person's last meeting on or before ``last``: one row read, however long the
    history."""
    async with uow:
        udvalg = {
            u.id: u
            for u in await uow.udvalg.list_all()
            if u.id is not None and (actor.is_admin or actor.roles_in(u.id))
        }
        moede = await uow.moeder.latest_until([k for k in udvalg if k], last)
    return MoedeListing(moede, udvalg[moede.udvalg_id]) if moede else None


def public_only(actor: Actor, udvalg_id: int) -> bool:
    """Tovholdere (and admins outside the udvalg) get only the public version."""
    return not rules.can_read_closed(actor, udvalg_id)


async def build_document(
    uow: UnitOfWork, actor: Actor, moede_id: int, zone: str
) -> tuple[MeetingDocument, MeetingView]:
    """Everything the DOCX rendering needs, read in one transaction (the caller's, if open)."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_reader(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
        found = await uow.bilag.for_punkter([p.id or 0 for p in view.punkter])
        bilag = {pid: [b.file_name for b in items] for pid, items in found.items()}
    return to_document(view, bilag, zone), view


@dataclass(frozen=True, slots=True)
class ProtokolRequest:
    """What was asked for: a given meeting (``moede_id``), else the one held ``on`` that day,
    else the latest that has started (``protokol_moede``)."""

    moede_id: int | None = None
    on: date | None = None
    public: bool = False
    #: False: the dagsorden instead of the beslutningsprotokol.
    protokol: bool = True
    #: The operator's export (the CLI, who reads the database anyway): the version asked for,
    #: without the public-only rule for people outside the udvalg.
    operator: bool = False
    #: PDF/A (``agendas.documents.pdf_render``) instead of Word; the same content and editions.
    pdf: bool = False


@dataclass(slots=True)
class ProtokolFile:
    content: bytes
    file_name: str
    protokol: bool
    public: bool
    #: The internal version was asked for, but this person may read only the public one.
    public_only: bool
    #: The secretary (or an admin) gets the protocol menu with the protocol.
    may_edit: bool
    #: The meeting as it was read, for the protocol menu.
    view: MeetingView


async def protokol_document(
    uow: UnitOfWork,
    actor: Actor,
    request: ProtokolRequest,
    now: datetime,
    zone: str,
    template: bytes | None = None,
) -> ProtokolFile | None:
    """The Word (or PDF/A) file asked for, or None when no meeting matches the request. A PDF
    ignores ``template``: the municipality's Word template is for Word files."""
    async with uow:
        moede_id = request.moede_id
        if moede_id is None:
            chosen = await protokol_moede(uow, actor, now, request.on)
            if chosen is None:
                return None
            moede_id = chosen.moede.id or 0
        document, view = await build_document(uow, actor, moede_id, zone)
    udvalg_id = view.udvalg.id or 0
    forced = not (request.operator or request.public) and public_only(actor, udvalg_id)
    public = request.public or forced
    # The renderers (python-docx, Jinja2, WeasyPrint) load on the first export, not at start-up.
    if request.pdf:
        from agendas.documents.pdf_render import render_pdf

        content = await off_loop(render_pdf, document, request.protokol, public)
    else:
        from agendas.documents.render import render_dagsorden, render_protokol

        render = render_protokol if request.protokol else render_dagsorden
        content = await off_loop(render, document, public, template)
    extension = "pdf" if request.pdf else "docx"
    return ProtokolFile(
        content=content,
        file_name=file_name(view.udvalg, view.moede, request.protokol, public, extension),
        protokol=request.protokol,
        public=public,
        public_only=forced,
        may_edit=rules.can_edit_udvalg(actor, udvalg_id),
        view=view,
    )
