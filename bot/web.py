"""The web archive's composition: the archive app from the settings and an engine, served on its
own (``udvalgsbot web``, at the root) or mounted in the webhook process (``ARCHIVE_SERVE``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from agendas.documents.pdf_render import render_pdf
from agendas.protocol import MeetingDocument
from agendas.services.archive import Renderer
from bot.catalogue import catalogue_texts
from bot.settings import Settings
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade_async
from storage.uow import SqlUnitOfWork
from web import ArchiveConfig, build_archive

log = logging.getLogger(__name__)

#: The archive is Danish, whatever the chat's default language.
ARCHIVE_LANGUAGE = "da"


def pdf_renderer() -> Renderer | None:
    """The PDF/A renderer (public edition) when WeasyPrint and its Pango libraries are on this
    server; None otherwise: the archive then offers the Word files only."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        log.warning("WeasyPrint (Pango) is missing: the archive offers Word files, no PDF")
        return None

    def render(document: MeetingDocument, protokol: bool) -> bytes:
        return render_pdf(document, protokol, public=True)

    return render


def archive_app(
    settings: Settings, engine: AsyncEngine, prefix: str = "", bot_username: str | None = None
) -> web.Application:
    session_factory = make_session_factory(engine)
    config = ArchiveConfig(
        zone=settings.timezone,
        base_url=settings.archive_base_url,
        prefix=prefix,
        bot_username=settings.bot_username or bot_username,
        docx_template=settings.read_docx_template(),
        pdf=pdf_renderer(),
    )
    translate = catalogue_texts(ARCHIVE_LANGUAGE)
    return build_archive(lambda: SqlUnitOfWork(session_factory), translate, config)


def mount_archive(
    app: web.Application, settings: Settings, engine: AsyncEngine, bot_username: str | None
) -> None:
    """The archive under ``ARCHIVE_PATH`` of the webhook's application (``/arkiv`` redirects
    to ``/arkiv/``)."""
    path = settings.archive_path

    async def to_front(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(f"{path}/")

    app.router.add_get(path, to_front)  # before the sub-application, which would say 404
    app.add_subapp(path, archive_app(settings, engine, path, bot_username))


@contextlib.asynccontextmanager
async def running_archive(settings: Settings, host: str, port: int) -> AsyncIterator[str]:
    """The archive on its own at ``host:port`` (0: a free port) until the block ends; yields
    its address. Migrates the database first, like every command."""
    await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    runner = web.AppRunner(archive_app(settings, engine), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
        await engine.dispose()


async def serve(settings: Settings, host: str, port: int) -> None:
    """``udvalgsbot web``: serve the archive until interrupted."""
    async with running_archive(settings, host, port) as address:
        print(f"Webarkivet kører på {address}/ (Ctrl-C stopper det)", flush=True)  # noqa: T201
        await asyncio.Event().wait()
