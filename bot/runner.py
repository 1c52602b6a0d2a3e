"""Running the bot: long polling (default) or webhook mode behind a reverse proxy.

The web server (``aiohttp.web`` and aiogram's webhook handler, about 1 MiB) is imported by
``run_webhook`` only: long polling never loads it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from datetime import datetime

from agendas.dates import utc_now
from bot.app import Runtime, build_runtime
from bot.commands import set_menus
from bot.settings import Settings
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)


async def prepare(
    settings: Settings, token: str, clock: Callable[[], datetime] = utc_now
) -> Runtime:
    """Migrate the database, then build the runtime and publish the command menus."""
    await upgrade_async(settings.database_url)
    runtime = build_runtime(settings, token, clock)
    me = await runtime.bot.me()
    log.info("Bot @%s (id %s) ready", me.username, me.id)
    await set_menus(runtime.bot, runtime.i18n)
    runtime.start_delivery(settings)
    # Everything the start builds is in place: one full collection now, before the first
    # update. Left to the collector's thresholds, the start's objects trigger it a few seconds
    # into serving instead (about 0.2 s with this heap, felt by whichever update it lands in).
    # Then the survivors (modules, classes, the tables' metadata, aiogram's and pydantic's
    # schemas: about 300,000 objects that live as long as the process) are frozen out of every
    # later collection (``gc.freeze``): each full pass while serving scanned them all again,
    # about 0.2 s of CPU every few hundred updates, about 1 ms per update at 20 updates/s.
    gc.collect()
    gc.freeze()
    return runtime


async def run_polling(settings: Settings, token: str) -> None:
    runtime = await prepare(settings, token)
    try:
        # A webhook left from an earlier run would make getUpdates fail with 409.
        await runtime.bot.delete_webhook(drop_pending_updates=False)
        await runtime.dispatcher.start_polling(
            runtime.bot,
            allowed_updates=runtime.dispatcher.resolve_used_update_types(),
            handle_signals=True,
            close_bot_session=False,
        )
    finally:
        await runtime.close()


async def run_webhook(settings: Settings, token: str) -> None:
    """Serve Telegram's webhook; requests without the right secret header are refused."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    url, secret = settings.require_webhook()
    runtime = await prepare(settings, token)
    app = web.Application()
    SimpleRequestHandler(
        dispatcher=runtime.dispatcher, bot=runtime.bot, secret_token=secret
    ).register(app, path=settings.webhook_path)
    setup_application(app, runtime.dispatcher, bot=runtime.bot)
    if settings.archive_serve:
        from bot.web import mount_archive

        me = await runtime.bot.me()
        mount_archive(app, settings, runtime.engine, me.username)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    try:
        await site.start()
        await runtime.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=runtime.dispatcher.resolve_used_update_types(),
        )
        log.info(
            "Webhook listening on %s:%s%s",
            settings.webhook_host,
            settings.webhook_port,
            settings.webhook_path,
        )
        if settings.archive_serve:
            log.info(
                "Web archive on %s:%s%s/",
                settings.webhook_host,
                settings.webhook_port,
                settings.archive_path,
            )
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await runtime.close()
