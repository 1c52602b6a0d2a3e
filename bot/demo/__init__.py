"""``udvalgsbot demo``: the emulator and the real bot on a fresh database, with simulated people.

No token and no network: the bot talks to the built-in Bot API emulator on a loopback port.
The conversation is printed as a chat transcript and saved, with the database and every file
the bot sent, in the output folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

from agendas.dates import utc_now
from bot import logs
from bot.demo.archive_step import archive_step
from bot.demo.chat import Person, Transcript
from bot.demo.scenario import Cast, cast_people, play
from bot.settings import Settings
from bot.web import running_archive
from bot_api_emulator import EmulatorClient, running_emulator

log = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path("demo-output")


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, token: str, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[None]:
    """The bot as ``udvalgsbot run`` builds it (migrations, routers, menus), polling in a task."""
    from bot.runner import prepare

    runtime = await prepare(settings, token, clock)
    task = asyncio.create_task(
        runtime.dispatcher.start_polling(
            runtime.bot,
            allowed_updates=runtime.dispatcher.resolve_used_update_types(),
            handle_signals=False,
            close_bot_session=False,
            polling_timeout=1,
        )
    )
    try:
        yield
    finally:
        with contextlib.suppress(RuntimeError):
            await runtime.dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
        await runtime.close()


async def save_documents(client: EmulatorClient, people: list[Person], folder: Path) -> list[Path]:
    """Every file the bot sent to anyone, as the recipient received it."""
    saved: list[Path] = []
    for person in people:
        for message in await client.bot_messages(person.user):
            document = message.document
            if document is None or document.data is None:
                continue
            name = Path(document.file_name or f"fil-{message.message_id}").name
            target = folder / f"{person.name.split()[0].lower()}-{message.message_id}-{name}"
            target.write_bytes(document.data)
            saved.append(target)
    return saved


def publish_protocols(saved: list[Path], output: Path) -> list[Path]:
    """The beslutningsprotokol in both versions at the top of the output folder, by their names
    (``Beslutningsprotokol BEU 2026-12-15.docx`` and ``… offentlig.docx``): the last one sent,
    which is the approved protocol with its Godkendelse section."""
    published: dict[str, Path] = {}
    for path in saved:
        name = path.name.split("-", 2)[-1]  # without the "<person>-<message id>-" prefix
        if name.startswith("Beslutningsprotokol"):
            published[name] = output / name
            shutil.copyfile(path, published[name])
    return sorted(published.values())


def fresh_folder(output: Path) -> None:
    """The demo starts from nothing: an earlier run's database and files are removed."""
    if output.exists():
        shutil.rmtree(output)
    (output / "dokumenter").mkdir(parents=True)


async def run_demo(
    output: Path = DEFAULT_OUTPUT,
    interactive: bool = False,
    write: Callable[[str], None] = print,
) -> int:
    started = time.monotonic()
    fresh_folder(output)
    transcript = Transcript(write=write)
    async with running_emulator(port=0) as emu:
        client = emu.client
        cast: Cast = await cast_people(client, transcript)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=emu.token,
            database_url=f"sqlite+aiosqlite:///{(output / 'udvalgsbot.sqlite3').resolve()}",
            telegram_api_base=emu.base_url,
            admin_ids=frozenset({cast.admin.user.id}),
            log_level="WARNING",
            bot_username=emu.emulator.config.bot_username,
            # The status round's deadline passes in the story; the scheduler closes it soon.
            scheduler_watch_seconds=2,
        )
        # The public web archive on a free local port, as `udvalgsbot web` serves it; the bot
        # links it (ARCHIVE_BASE_URL) in the agenda it sends out and in /soeg.
        async with running_archive(settings, "127.0.0.1", 0) as archive:
            settings = settings.model_copy(update={"archive_base_url": archive})
            async with running_bot(settings, emu.token, cast.clock):
                await play(cast, transcript, interactive=interactive)
            page = None if interactive else await archive_step(transcript, archive)
        saved = await save_documents(client, cast.everyone, output / "dokumenter")
    protocols = publish_protocols(saved, output)
    (output / "transcript.txt").write_text("\n".join(transcript.lines) + "\n", encoding="utf-8")
    transcript.heading("Demoen er slut")
    transcript.emit(f"  Varighed: {time.monotonic() - started:.1f} s")
    transcript.emit(f"  Database: {output / 'udvalgsbot.sqlite3'}")
    transcript.emit(f"  Samtalen: {output / 'transcript.txt'}")
    if page is not None:
        transcript.emit(
            f"  Webarkivet: {archive}/ (kørte under demoen; `udvalgsbot web` starter det)"
        )
        transcript.emit(f"  Mødets side: {page}")
    for path in protocols:
        transcript.emit(f"  Protokol: {path}")
    for path in saved:
        transcript.emit(f"  Dokument: {path}")
    return 0


def main(output: Path = DEFAULT_OUTPUT, interactive: bool = False) -> int:
    logs.configure("WARNING")
    try:
        return asyncio.run(run_demo(output, interactive))
    except KeyboardInterrupt:
        print("\nDemoen blev afbrudt.", file=sys.stderr)
        return 130
