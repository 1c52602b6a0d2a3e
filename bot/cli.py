"""The ``udvalgsbot`` command line: run the bot, migrate, set up committees, tools."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot import logs
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from agendas.documents import ImportResult
    from bot.i18n import CatalogI18n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="udvalgsbot", description="Telegram bot for Danish municipal committees."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (long polling; --webhook for webhook mode)")
    run.add_argument("--webhook", action="store_true", help="serve Telegram's webhook instead")

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations (default: to the newest)")
    up.add_argument("revision", nargs="?", default="head")
    db_sub.add_parser("current", help="show the database's migration revision")

    udvalg = sub.add_parser("udvalg", help="committees")
    udvalg_sub = udvalg.add_subparsers(dest="udvalg_command", required=True)
    create = udvalg_sub.add_parser("create", help="create a committee")
    create.add_argument("kode", help="short code, e.g. BEU")
    create.add_argument("navn", help="name, e.g. Beskæftigelsesudvalget")
    create.add_argument("--forvaltning", required=True, help="the administration that serves it")

    imp = sub.add_parser("import", help="import an agenda or protocol (DOCX or text) as a meeting")
    imp.add_argument("file", help="the document: .docx or plain text")
    imp.add_argument("--udvalg", required=True, help="the committee's code, e.g. BEU")
    imp.add_argument("--json", action="store_true", help="print one JSON object")

    exp = sub.add_parser("export", help="write a meeting's dagsorden or protocol as DOCX")
    exp.add_argument("moede_id", type=int, help="the meeting's id (printed by import)")
    exp.add_argument("--kind", choices=("dagsorden", "protokol"), required=True)
    exp.add_argument("--public", action="store_true", help="the public version")
    exp.add_argument("-o", "--output", required=True, help="the .docx file to write")

    plan = sub.add_parser("plan", help="handleplaner: import a plan, write a status report")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    plan_imp = plan_sub.add_parser("import", help="import a plan's indsatser (CSV, XLSX, DOCX)")
    plan_imp.add_argument("file", help="the plan: .csv, .xlsx or .docx with a table")
    plan_imp.add_argument("--udvalg", required=True, help="the committee's code, e.g. BEU")
    plan_imp.add_argument("--navn", required=True, help="the plan's name")
    plan_imp.add_argument("--json", action="store_true", help="print one JSON object")
    plan_rep = plan_sub.add_parser("report", help="write a status round's report as DOCX")
    plan_rep.add_argument("plan_id", type=int, help="the plan's id (printed by plan import)")
    plan_rep.add_argument("--round", type=int, default=None, help="the round (default: latest)")
    plan_rep.add_argument("-o", "--output", required=True, help="the .docx file to write")

    demo = sub.add_parser("demo", help="play a committee cycle offline (no token, no network)")
    demo.add_argument("--interactive", action="store_true", help="you type as the secretary")
    demo.add_argument("--output", default="demo-output", help="folder for the database and files")

    emulator = sub.add_parser("emulator", help="run the local Telegram Bot API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    emulator.add_argument("--limits", action="store_true", help="enforce Telegram's flood limits")
    return parser


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"Invalid settings: {problems}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as exc:
        print(f"udvalgsbot: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "emulator":
        from bot.emulator import serve

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(host=args.host, port=args.port, limits=args.limits))
        return 0

    if args.command == "demo":
        from pathlib import Path

        from bot.demo import main as demo_main

        return demo_main(Path(args.output), interactive=args.interactive)

    settings = load_settings()
    if args.command == "run":
        token = settings.require_token()
        if args.webhook:
            settings.require_webhook()
        settings.read_docx_template()  # a bad DOCX_TEMPLATE stops the start before anything
        logs.configure(settings.log_level, [token, _secret(settings)])
        from bot import runner

        entry = runner.run_webhook if args.webhook else runner.run_polling
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(entry(settings, token))
        return 0

    logs.configure(settings.log_level)
    if args.command == "db":
        from storage import migrate

        if args.db_command == "upgrade":
            migrate.upgrade(settings.database_url, args.revision)
            print(f"Database at {migrate.current(settings.database_url)}")
        else:
            print(migrate.current(settings.database_url) or "(empty)")
        return 0
    if args.command == "udvalg":
        return asyncio.run(_create_udvalg(settings, args.kode, args.navn, args.forvaltning))
    if args.command == "import":
        return asyncio.run(_import_meeting(settings, args.file, args.udvalg, args.json))
    if args.command == "plan":
        if args.plan_command == "import":
            return asyncio.run(_import_plan(settings, args.file, args.udvalg, args.navn, args.json))
        return asyncio.run(_plan_report(settings, args.plan_id, args.round, args.output))
    if args.command == "export":
        return asyncio.run(
            _export_meeting(settings, args.moede_id, args.kind, args.public, args.output)
        )
    return 1


def _secret(settings: Settings) -> str:
    return settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""


async def _create_udvalg(settings: Settings, code: str, name: str, forvaltning: str) -> int:
    """Scripted set-up: runs as the system (an admin actor), audited like any other change."""
    from agendas.dates import utc_now
    from agendas.errors import DomainError
    from agendas.model import Actor
    from agendas.services import committees
    from bot.i18n import make_i18n
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    await migrate.upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        udvalg = await committees.create_udvalg(
            uow, Actor(person_id=0, is_admin=True), code, name, forvaltning, utc_now()
        )
    except DomainError as exc:
        i18n = make_i18n(settings.default_language)
        print(i18n.gettext(exc.key).format(**exc.params), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"Oprettet: {udvalg.code} {udvalg.name} ({udvalg.forvaltning}), id {udvalg.id}")
    return 0


@functools.cache
def _catalogue(language: str) -> CatalogI18n:
    from bot.i18n import make_i18n

    return make_i18n(language)


def _text(settings: Settings, key: str, **params: object) -> str:
    """A catalogue text in the default language (no HTML: this is the terminal)."""
    return str(_catalogue(settings.default_language).gettext(key)).format(**params)


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


async def _import_meeting(settings: Settings, path: str, code: str, as_json: bool) -> int:
    """Create a meeting from a DOCX or text agenda/protocol, as the system (an admin actor)."""
    import json

    from agendas.dates import format_date, format_time, utc_now
    from agendas.errors import DomainError
    from agendas.model import Actor
    from agendas.services import imports
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    data = await asyncio.to_thread(_read_document, path)
    if data is None:
        print(_text(settings, "err-import-file-unreadable", path=path), file=sys.stderr)
        return 1
    try:
        result = await asyncio.to_thread(_parse, data, path)
        await migrate.upgrade_async(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            uow = SqlUnitOfWork(make_session_factory(engine))
            imported = await imports.import_meeting(
                uow,
                Actor(person_id=0, is_admin=True),
                code,
                result,
                utc_now(),
                settings.timezone,
            )
        finally:
            await engine.dispose()
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
            "start_time": moede.start_time.isoformat("minutes"),
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
            "unplaced": imported.unplaced,
            "notes": notes,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(
        _text(
            settings,
            "moede-import-done",
            moede_id=moede.id,
            udvalg=imported.udvalg.name,
            date=format_date(moede.date),
            time=format_time(moede.start_time),
            count=len(imported.punkter),
        )
    )
    for entry in imported.punkter:
        print(f"  {entry.punkt.number}. {entry.punkt.title}")
    if imported.unplaced:
        print(_text(settings, "moede-import-unplaced", count=len(imported.unplaced)))
        for line in imported.unplaced:
            print(f"  {line}")
    else:
        print(_text(settings, "moede-import-all-placed"))
    if notes:
        print(_text(settings, "moede-import-notes"))
        for note in notes:
            print(f"  - {note}")
    return 0


async def _export_meeting(
    settings: Settings, moede_id: int, kind: str, public: bool, output: str
) -> int:
    """Write the dagsorden or beslutningsprotokol of a stored meeting as DOCX."""
    from agendas.documents import render_dagsorden, render_protokol
    from agendas.errors import DomainError
    from agendas.model import Actor
    from agendas.services import moedemode
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    template = await asyncio.to_thread(settings.read_docx_template)
    await migrate.upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        document, _ = await moedemode.build_document(
            uow, Actor(person_id=0, is_admin=True), moede_id, settings.timezone
        )
    except DomainError as exc:
        if exc.key == "err-moede-gone":
            print(_text(settings, "err-export-moede-unknown", moede_id=moede_id), file=sys.stderr)
        else:
            print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    render = render_protokol if kind == "protokol" else render_dagsorden
    data = await asyncio.to_thread(render, document, public, template)
    written = await asyncio.to_thread(_write_file, output, data)
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
    from agendas.plan_import import MAX_FILE_BYTES

    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


async def _import_plan(settings: Settings, path: str, code: str, name: str, as_json: bool) -> int:
    """Create a plan from a CSV/XLSX/DOCX table, as the system (an admin actor)."""
    import json
    from pathlib import Path

    from agendas.dates import utc_now
    from agendas.errors import DomainError
    from agendas.model import Actor
    from agendas.plan_import import parse_plan_file
    from agendas.services import status
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    data = await asyncio.to_thread(_read_plan, path)
    if data is None:
        print(_text(settings, "err-plan-file-unreadable", path=path), file=sys.stderr)
        return 1
    try:
        result = await asyncio.to_thread(parse_plan_file, data, Path(path).name)
        await migrate.upgrade_async(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            uow = SqlUnitOfWork(make_session_factory(engine))
            imported = await status.import_plan(
                uow, Actor(person_id=0, is_admin=True), code, name, result, utc_now()
            )
        finally:
            await engine.dispose()
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
        print("ukendte tovholdere: " + ", ".join(imported.unknown_tovholdere))
    if imported.unknown_columns:
        print("ignorerede kolonner: " + ", ".join(imported.unknown_columns))
    return 0


async def _plan_report(settings: Settings, plan_id: int, number: int | None, output: str) -> int:
    """Write the status report of a plan's round (the latest by default) as DOCX."""
    from agendas.errors import DomainError
    from agendas.services import status
    from storage import migrate
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    template = await asyncio.to_thread(settings.read_docx_template)
    await migrate.upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        file = await status.report_docx(uow, None, plan_id, number, settings.timezone, template)
    except DomainError as exc:
        print(_text(settings, exc.key, **exc.params), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    written = await asyncio.to_thread(_write_file, output, file.content)
    if written is None:
        print(_text(settings, "err-plan-report-write", path=output), file=sys.stderr)
        return 1
    print(_text(settings, "plan-report-done", path=written))
    return 0
