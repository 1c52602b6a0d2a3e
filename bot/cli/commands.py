"""The command line's database commands: each runs as the system inside ``system_uow``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from agendas.documents import ImportResult
    from agendas.ports import UnitOfWork
    from bot.i18n import CatalogI18n


@contextlib.asynccontextmanager
async def system_uow(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """Migrate the database, open the engine, yield a unit of work; dispose the engine after.

    The commands act as ``agendas.model.SYSTEM_ACTOR`` with it.
    """
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    await migrate.upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        yield SqlUnitOfWork(make_session_factory(engine))
    finally:
        await engine.dispose()


async def create_udvalg(settings: Settings, code: str, name: str, forvaltning: str) -> int:
    """Scripted set-up: runs as the system (an admin actor), audited like any other change."""
    from agendas.dates import utc_now
    from agendas.errors import DomainError
    from agendas.model import SYSTEM_ACTOR
    from agendas.services import committees

    try:
        async with system_uow(settings) as uow:
            udvalg = await committees.create_udvalg(
                uow, SYSTEM_ACTOR, code, name, forvaltning, utc_now()
            )
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    print(f"Oprettet: {udvalg.code} {udvalg.name} ({udvalg.forvaltning}), id {udvalg.id}")
    return 0


@functools.cache
def _catalogue(language: str) -> CatalogI18n:
    from bot.i18n import make_i18n

    return make_i18n(language)


def terminal_text(settings: Settings, key: str, **params: object) -> str:
    """A catalogue text in the default language (no HTML: this is the terminal). A text the chat
    words as a chat command ("Skriv /planer") has a ``cli-`` twin that names the command line's."""
    catalogue = _catalogue(settings.default_language)
    text = catalogue.gettext(f"cli-{key}")
    if text == f"cli-{key}":
        text = catalogue.gettext(key)
    return str(text).format(**params)


_text = terminal_text


def _read_document(path: str) -> bytes | None:
    """At most one byte more than the importer accepts: a larger file is refused by size."""
    from agendas.documents.safety import MAX_DOCX_BYTES

    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_DOCX_BYTES + 1)
    except OSError:
        return None


def _parse(data: bytes, path: str) -> ImportResult:
    """A ``.docx`` name is opened as DOCX (so a bad one is refused as such), others by content."""
    from agendas.documents import parse_document, parse_docx

    if path.lower().endswith(".docx"):
        return parse_docx(data)
    return parse_document(data)


def _again(settings: Settings, diff: Any) -> str:
    """The meeting exists already: what differs, and how to update it."""
    from agendas.dates import format_date

    lines = [_text(settings, "import-again", date=format_date(diff.date))]
    for key, titles in (
        ("import-again-changed", diff.changed),
        ("import-again-added", diff.added),
        ("import-again-missing", diff.missing),
    ):
        if titles:
            lines.append(_text(settings, key, titles="; ".join(titles)))
    lines.append(_text(settings, "import-again-cli-hint"))
    return "\n".join(lines)


async def import_meeting(
    settings: Settings,
    path: str,
    code: str,
    as_json: bool,
    add_members: bool = False,
    update: bool = False,
) -> int:
    """Create a meeting from a DOCX or text agenda/protocol, as the system (an admin actor).
    ``add_members``: the members it names who are not on the roster are added, with their
    attendance (the secretary's "Tilføj til medlemslisten" in chat)."""
    import json

    from agendas.dates import moede_when, utc_now
    from agendas.errors import DomainError
    from agendas.model import SYSTEM_ACTOR
    from agendas.services import imports, reimport, roster

    data = await asyncio.to_thread(_read_document, path)
    if data is None:
        print(_text(settings, "err-import-file-unreadable", path=path), file=sys.stderr)
        return 1
    try:
        result = await asyncio.to_thread(_parse, data, path)
        async with system_uow(settings) as uow:
            try:
                imported = await imports.import_meeting(
                    uow, SYSTEM_ACTOR, code, result, utc_now(), settings.timezone
                )
            except reimport.AlreadyImported as again:
                if not update:
                    print(_again(settings, again.diff), file=sys.stderr)
                    return 1
                imported = await imports.import_meeting(
                    uow,
                    SYSTEM_ACTOR,
                    code,
                    result,
                    utc_now(),
                    settings.timezone,
                    again.diff.moede_id,
                )
            added = []
            if add_members and imported.unknown_members:
                added = await roster.add_imported(
                    uow, SYSTEM_ACTOR, imported.moede.id or 0, imported.unknown_members, utc_now()
                )
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    notes = [_text(settings, note.key, **note.params) for note in imported.notes]
    moede = imported.moede
    if as_json:
        payload = {
            "meeting_id": moede.id,
            "udvalg": imported.udvalg.code,
            "date": moede.date.isoformat(),
            "start_time": moede.start_time.isoformat("minutes") if moede.start_time else None,
            "place": moede.place,
            "end_time": imports.local_end_time(moede, settings.timezone),
            "punkter": [
                {
                    "number": entry.punkt.number,
                    "title": entry.punkt.title,
                    "kind": entry.punkt.kind.value,
                    "closed": entry.punkt.closed,
                    "beslutningskompetence": entry.punkt.beslutningskompetence,
                    "journal_number": entry.punkt.journal_number,
                    "sagstype": entry.punkt.sagstype.value if entry.punkt.sagstype else None,
                    "sections": entry.punkt.sections,
                    "beslutning": entry.record.decision_text(),
                    "public_beslutning": entry.record.public_beslutning,
                    "inhabile": [m.label() for m in entry.record.inhabile],
                    "remarks": [
                        {"member": r.member.label(), "text": r.text} for r in entry.record.remarks
                    ],
                    "bilag": entry.bilag,
                }
                for entry in imported.punkter
            ],
            "unplaced": [{"line": item.line, "text": item.text} for item in imported.unplaced],
            "notes": notes,
            "unknown_members": [m.label() for m in imported.unknown_members],
            "added_members": [m.label() for m in added],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(
        _text(
            settings,
            "moede-import-done",
            moede_id=moede.id,
            udvalg=imported.udvalg.name,
            when=moede_when(
                lambda key, **p: _text(settings, key, **p), moede.date, moede.start_time
            ),
            count=len(imported.punkter),
        )
    )
    for entry in imported.punkter:
        print(f"  {entry.punkt.number}. {entry.punkt.title}")
        found = entry.found()
        print(
            f"     {', '.join(found) if found else _text(settings, 'import-upload-nothing-found')}"
        )
    if imported.unplaced:
        count = len(imported.unplaced)
        key = "moede-import-unplaced-one" if count == 1 else "moede-import-unplaced-other"
        print(_text(settings, key, count=count))
        for item in imported.unplaced:
            print(
                "  " + _text(settings, "moede-import-unplaced-line", line=item.line, text=item.text)
            )
    else:
        print(_text(settings, "moede-import-all-placed"))
    if notes:
        print(_text(settings, "moede-import-notes"))
        for note in notes:
            print(f"  - {note}")
    names = ", ".join(m.label() for m in added)
    if added:
        print(_text(settings, "roster-import-added", names=names, code=imported.udvalg.code))
    elif imported.unknown_members and not add_members:
        unknown = ", ".join(m.label() for m in imported.unknown_members)
        print(_text(settings, "roster-cli-unknown", names=unknown))
    return 0


async def export_meeting(
    settings: Settings, moede_id: int, kind: str, public: bool, output: str, pdf: bool = False
) -> int:
    """Write the dagsorden or beslutningsprotokol of a stored meeting as DOCX (or PDF/A)."""
    from agendas.dates import utc_now
    from agendas.errors import DomainError
    from agendas.meeting.documents import ProtokolRequest, protokol_document
    from agendas.model import SYSTEM_ACTOR

    template = None if pdf else await asyncio.to_thread(settings.read_docx_template)
    request = ProtokolRequest(
        moede_id=moede_id, public=public, protokol=kind == "protokol", operator=True, pdf=pdf
    )
    try:
        async with system_uow(settings) as uow:
            exported = await protokol_document(
                uow, SYSTEM_ACTOR, request, utc_now(), settings.timezone, template
            )
    except DomainError as exc:
        if exc.key == "err-moede-gone":
            print(_text(settings, "err-export-moede-unknown", moede_id=moede_id), file=sys.stderr)
        else:
            print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    assert exported is not None  # a meeting named by id is there, or NotFound was raised
    written = await asyncio.to_thread(_write_file, output, exported.content)
    if written is None:
        print(_text(settings, "err-export-write", path=output), file=sys.stderr)
        return 1
    print(_text(settings, "moede-export-done", path=written))
    return 0


def _write_file(path: str, data: bytes) -> str | None:
    """Write the file; its absolute path, or None when it could not be written."""
    from pathlib import Path

    target = Path(path)
    try:
        target.write_bytes(data)
    except OSError:
        return None
    return str(target.resolve())


def _read_plan(path: str) -> bytes | None:
    from agendas.status.plan_file import MAX_FILE_BYTES

    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


async def import_plan(settings: Settings, path: str, code: str, name: str, as_json: bool) -> int:
    """Create a plan from a CSV/XLSX/DOCX table, as the system (an admin actor)."""
    import json
    from pathlib import Path

    from agendas.dates import utc_now
    from agendas.errors import DomainError
    from agendas.model import SYSTEM_ACTOR
    from agendas.status import plans as plan_service
    from agendas.status.plan_file import parse_plan_file

    data = await asyncio.to_thread(_read_plan, path)
    if data is None:
        print(_text(settings, "err-plan-file-unreadable", path=path), file=sys.stderr)
        return 1
    try:
        result = await asyncio.to_thread(parse_plan_file, data, Path(path).name)
        async with system_uow(settings) as uow:
            imported = await plan_service.import_plan(
                uow, SYSTEM_ACTOR, code, name, result, utc_now()
            )
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    indsatser = [
        {
            "id": i.id,
            "title": i.title,
            "tovholder": i.tovholder,
            "kontaktperson": i.kontaktperson,
            "tovholder_person_id": i.tovholder_person_id,
            "tovholdere": [{"name": o.name, "person_id": o.person_id} for o in i.owners],
            "goal_id": i.goal_id,
            "maalgruppe": i.maalgruppe,
            "formaal": i.formaal,
            "periode": i.periode,
            "samarbejdspartnere": i.samarbejdspartnere,
            "aktiviteter": i.aktiviteter,
        }
        for i in imported.indsatser
    ]
    if as_json:
        payload = {
            "plan_id": imported.plan.id,
            "udvalg": imported.udvalg.code,
            "title": imported.plan.title,
            "indsatser": indsatser,
            "unknown_tovholdere": list(imported.unknown_tovholdere),
            "unknown_columns": list(imported.unknown_columns),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"plan_id: {imported.plan.id}")
    print(f"indsatser: {len(indsatser)}")
    for item in imported.indsatser:
        print(f"  - {item.title} ({item.tovholder or '-'})")
    if imported.unknown_tovholdere:
        names = ", ".join(imported.unknown_tovholdere)
        print(_text(settings, "cli-plan-unknown-tovholdere", names=names))
    if imported.unknown_columns:
        print(
            _text(settings, "cli-plan-unknown-columns", names=", ".join(imported.unknown_columns))
        )
    return 0


async def plan_report(settings: Settings, plan_id: int, number: int | None, output: str) -> int:
    """Write the status report of a plan's round (the latest by default) as DOCX."""
    from agendas.errors import DomainError
    from agendas.model import SYSTEM_ACTOR
    from agendas.status import report as report_service

    template = await asyncio.to_thread(settings.read_docx_template)
    try:
        async with system_uow(settings) as uow:
            file = await report_service.report_docx(
                uow, SYSTEM_ACTOR, plan_id, number, settings.timezone, template
            )
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    written = await asyncio.to_thread(_write_file, output, file.content)
    if written is None:
        print(_text(settings, "err-plan-report-write", path=output), file=sys.stderr)
        return 1
    print(_text(settings, "plan-report-done", path=written))
    return 0


async def roster_members(settings: Settings, code: str, add: str | None) -> int:
    """List an udvalg's roster, or first add a member to it ("Jan Kongebro (A) formand"), as
    the system (an admin actor), audited like any other change."""
    from agendas.dates import format_date, to_local, utc_now
    from agendas.errors import DomainError
    from agendas.model import SYSTEM_ACTOR
    from agendas.roster_entry import parse_entry
    from agendas.services import roster

    try:
        async with system_uow(settings) as uow:
            if add is not None:
                today = to_local(utc_now(), settings.timezone).date()
                entry = parse_entry(add, today)
                added = await roster.add_member(uow, SYSTEM_ACTOR, code, entry, utc_now(), today)
                print(_text(settings, "roster-added", name=added.label(), code=code.upper()))
            listing = await roster.list_roster(uow, SYSTEM_ACTOR, code)
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    udvalg = listing.udvalg
    print(_text(settings, "roster-head", udvalg=udvalg.name, code=udvalg.code))
    if not listing.members:
        print(_text(settings, "roster-empty"))
    for number, member in enumerate(listing.members, 1):
        parts = [member.label()]
        if member.role.value != "medlem":
            parts.append(_text(settings, f"role-{member.role.value}"))
        if member.substitute_for is not None:
            parts[-1] += " " + _text(settings, "roster-for", name=member.substitute_for.name)
        if member.since is not None:
            parts.append(_text(settings, "roster-since", date=format_date(member.since)))
        key = "roster-on-telegram" if member.on_telegram else "roster-not-on-telegram"
        print(f"  {number}. {', '.join(parts)} – {_text(settings, key)}")
    return 0
