"""The ``udvalgsbot`` command line: run the bot, migrate, set up committees, tools.

This module parses the arguments and dispatches; the commands that work on the database
(``udvalg``, ``import``, ``export``, ``plan``) are in ``bot.cli.commands``.
"""

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
    parser.add_argument("--version", action="version", version=f"udvalgsbot {_version()}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show the log (migrations, connections)"
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

    members = sub.add_parser("medlemmer", help="an udvalg's roster: list it, add a member")
    members.add_argument("kode", help="the committee's code, e.g. BEU")
    members.add_argument(
        "--tilfoej",
        metavar="MEDLEM",
        help='add a member first, e.g. "Jan Kongebro (A) formand" or '
        '"Lise Holm (V) stedfortræder for Jan Kongebro fra 01-02-2026"',
    )

    imp = sub.add_parser("import", help="import an agenda or protocol (DOCX or text) as a meeting")
    imp.add_argument("file", help="the document: .docx or plain text")
    imp.add_argument("--udvalg", required=True, help="the committee's code, e.g. BEU")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.add_argument(
        "--opdater",
        action="store_true",
        help="when the committee has the meeting already (same date and punkter), update it",
    )
    imp.add_argument(
        "--tilfoej-medlemmer",
        action="store_true",
        help="add the members the document names who are not on the roster (with their "
        "attendance at the meeting)",
    )

    moeder = sub.add_parser("moeder", help="list the meetings and their ids (for export)")
    moeder.add_argument("--udvalg", default=None, help="only this committee, e.g. BEU")

    exp = sub.add_parser("export", help="write a meeting's dagsorden or protocol (DOCX or PDF/A)")
    exp.add_argument("moede_id", type=int, help="the meeting's id (printed by import)")
    exp.add_argument("--kind", choices=("dagsorden", "protokol"), required=True)
    exp.add_argument("--public", action="store_true", help="the public version")
    exp.add_argument(
        "--format",
        choices=("docx", "pdf"),
        default=None,
        help="docx (Word) or pdf (PDF/A-2u); default: pdf for an output ending in .pdf, else docx",
    )
    exp.add_argument("-o", "--output", required=True, help="the .docx or .pdf file to write")

    plan = sub.add_parser("plan", help="handleplaner: import a plan, write a status report")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    plan_imp = plan_sub.add_parser("import", help="import a plan's indsatser (CSV, XLSX, DOCX)")
    plan_imp.add_argument("file", help="the plan: .csv, .xlsx or .docx with a table")
    plan_imp.add_argument("--udvalg", required=True, help="the committee's code, e.g. BEU")
    plan_imp.add_argument("--navn", required=True, help="the plan's name")
    plan_imp.add_argument("--json", action="store_true", help="print one JSON object")
    plan_sub.add_parser("list", help="list the plans and their ids (for plan report)")
    plan_rep = plan_sub.add_parser("report", help="write a status round's report as DOCX")
    plan_rep.add_argument("plan_id", type=int, help="the plan's id (printed by plan import)")
    plan_rep.add_argument("--round", type=int, default=None, help="the round (default: latest)")
    plan_rep.add_argument("-o", "--output", required=True, help="the .docx file to write")

    demo = sub.add_parser("demo", help="play a committee cycle offline (no token, no network)")
    demo.add_argument("--interactive", action="store_true", help="you type as the secretary")
    demo.add_argument("--output", default="demo-output", help="folder for the database and files")

    emulator = sub.add_parser("emulator", help="run the local Telegram Bot API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=_port, default=8081)
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("udvalgsbot")
    except PackageNotFoundError:
        return "(not installed)"


def _port(value: str) -> int:
    """argparse type: a TCP port, or argparse's own one-line refusal (exit code 2)."""
    if value.isdigit() and 1 <= int(value) <= 65535:
        return int(value)
    raise argparse.ArgumentTypeError(_cli_text("cli-err-port", value=value))


def _cli_text(key: str, **params: object) -> str:
    from bot.cli.commands import terminal_text

    try:
        settings = Settings()
    except ValidationError:
        settings = Settings.model_construct()
    return terminal_text(settings, key, **params)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as exc:
        print(f"udvalgsbot: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # What a person can fix (a database address, a login, a revision, a port taken) is one
        # line and exit code 2; anything else is a bug and keeps its traceback.
        line = _operator_error(exc, args)
        if line is None:
            raise
        print(f"udvalgsbot: {line}", file=sys.stderr)
        return 2


def _operator_error(exc: Exception, args: argparse.Namespace) -> str | None:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

    if isinstance(exc, ArgumentError | ValueError) and "URL" in str(exc):
        return _cli_text("cli-err-database-url", detail=str(exc).splitlines()[0])
    if isinstance(exc, OperationalError | InterfaceError):
        detail = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        return _cli_text("cli-err-database-connect", detail=detail[-1] if detail else "")
    if isinstance(exc, CommandError) and getattr(args, "revision", None):
        from storage import migrate

        return _cli_text(
            "cli-err-revision", revision=args.revision, known=", ".join(migrate.revisions())
        )
    if isinstance(exc, OSError) and args.command == "emulator":
        return _cli_text("cli-err-listen", host=args.host, port=args.port, detail=exc.strerror)
    return None


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "emulator":
        from bot_api_emulator import serve

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

    # The tools are quiet: a secretary sees the answer, not nine lines of Alembic; -v shows them.
    logs.configure(settings.log_level if args.verbose else "WARNING")
    if args.command == "db":
        from storage import migrate

        if args.db_command == "upgrade":
            migrate.upgrade(settings.database_url, args.revision)
            print(f"Database at {migrate.current(settings.database_url)}")
        else:
            print(migrate.current(settings.database_url) or "(empty)")
        return 0
    from bot.cli import commands

    if args.command == "udvalg":
        return asyncio.run(commands.create_udvalg(settings, args.kode, args.navn, args.forvaltning))
    if args.command == "medlemmer":
        return asyncio.run(commands.roster_members(settings, args.kode, args.tilfoej))
    if args.command == "import":
        return asyncio.run(
            commands.import_meeting(
                settings, args.file, args.udvalg, args.json, args.tilfoej_medlemmer, args.opdater
            )
        )
    if args.command == "moeder":
        from bot.cli import listing

        return asyncio.run(listing.list_meetings(settings, args.udvalg))
    if args.command == "plan":
        if args.plan_command == "list":
            from bot.cli import listing

            return asyncio.run(listing.list_plans(settings))
        if args.plan_command == "import":
            return asyncio.run(
                commands.import_plan(settings, args.file, args.udvalg, args.navn, args.json)
            )
        return asyncio.run(commands.plan_report(settings, args.plan_id, args.round, args.output))
    if args.command == "export":
        pdf = (args.format or _format_of(args.output)) == "pdf"
        return asyncio.run(
            commands.export_meeting(
                settings, args.moede_id, args.kind, args.public, args.output, pdf=pdf
            )
        )
    return 1


def _format_of(output: str) -> str:
    """The format an output file's name asks for: ``pdf`` for ``*.pdf``, else ``docx``."""
    return "pdf" if output.lower().endswith(".pdf") else "docx"


def _secret(settings: Settings) -> str:
    return settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
