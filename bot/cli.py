"""The ``udvalgsbot`` command line: run the bot, migrate, set up committees, tools."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import logs
from bot.settings import Settings, SettingsError


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
    return 1


def _secret(settings: Settings) -> str:
    return settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""


async def _create_udvalg(settings: Settings, code: str, name: str, forvaltning: str) -> int:
    """Scripted set-up: runs as the system (an admin actor), audited like any other change."""
    from agendas.errors import DomainError
    from agendas.model import Actor
    from agendas.services import committees
    from bot.i18n import make_i18n
    from handlers.context import utc_now
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
