"""The composition root: builds storage, bot, dispatcher and routers from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from agendas.dates import utc_now
from agendas.ports import UnitOfWork
from bot.i18n import CatalogI18n, make_i18n, texts_for
from bot.middlewares import (
    IdentityMiddleware,
    LocaleMiddleware,
    RawStateMiddleware,
    UnitOfWorkMiddleware,
    UpdateFsmMiddleware,
)
from bot.response_types import PinResponseTypes
from bot.routing import RoutingMiddleware, gate_routers, inline_pure_filters
from bot.settings import Settings
from bot.workers.delivery import DeliveryConfig, DeliveryWorker
from bot.workers.pacing import ChatPacer
from bot.workers.rate import SHARED_AHEAD, SHARED_BURST, RateLimiter, SharedRateLimiter
from bot.workers.scheduler import RunningScheduler, SchedulerContext, start_scheduler
from bot.workers.status_jobs import StatusJobContext, register_status_jobs
from handlers import (
    afbud,
    agenda,
    bilag,
    cancel,
    committees,
    errors,
    fallback,
    imports,
    invites,
    language,
    meeting_attendance,
    meeting_mode,
    meeting_open,
    meeting_votes,
    meetings,
    member_punkt,
    plan_upload,
    plans,
    proposals,
    protocol,
    punkt,
    punkt_fields,
    questions,
    release,
    roster,
    sag,
    search,
    start,
    status_answer,
    status_overview,
    status_people,
    status_units,
    upload,
)
from handlers.callbacks import pack_button
from handlers.context import ChatConfig
from storage.engine import is_sqlite, make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.outbox_queue import OutboxQueue
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)


def build_dispatcher(
    *,
    storage: BaseStorage,
    uow_factory: Callable[[], UnitOfWork],
    i18n: CatalogI18n,
    config: ChatConfig,
    admin_ids: frozenset[int],
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    """The dispatcher with every feature router; used by the bot process and by the tests."""
    isolation = events_isolation or SimpleEventIsolation()
    # The dialog-state middleware runs after the unit of work's (below), so the SQL storage
    # reads the state through the update's session.
    dp = Dispatcher(storage=storage, events_isolation=isolation, disable_fsm=True)
    dp.fsm = UpdateFsmMiddleware(storage=storage, events_isolation=isolation)
    dp["config"] = config
    #: The catalogue per recipient language, for services that write to other people.
    dp["texts"] = texts_for(i18n)
    dp.update.outer_middleware(errors.TrackAnswers(PinResponseTypes))
    dp.update.outer_middleware(UnitOfWorkMiddleware(uow_factory))
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(IdentityMiddleware(admin_ids))
    dp.update.outer_middleware(RawStateMiddleware())
    dp.update.outer_middleware(RoutingMiddleware())
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    # Error handlers run after the update's middlewares have returned: give them the language too.
    dp.errors.outer_middleware(LocaleMiddleware(i18n))
    routers = [
        errors.setup(),
        start.setup(),
        cancel.setup(),  # before the features: /annuller works in every dialog state
        language.setup(),
        committees.setup(),
        invites.setup(),
        roster.setup(),
        meetings.setup(),
        status_answer.setup(),  # before upload: a document may be a status attachment
        status_overview.setup(),
        status_people.setup(),  # before fallback: "Ferie til 3/8" typed in the chat
        status_units.setup(),
        plans.setup(),
        plan_upload.setup(),
        upload.setup(),  # before sag: documents outside a sag dialog are plans or meetings
        imports.setup(),
        sag.setup(),
        release.setup(),
        meeting_open.setup(),
        meeting_mode.setup(),  # before agenda: the meeting's typing states come first
        meeting_votes.setup(),
        meeting_attendance.setup(),
        afbud.setup(),
        member_punkt.setup(),  # what members do for themselves: inhabil, kommer/går
        questions.setup(),
        proposals.setup(),
        protocol.setup(),
        search.setup(),
        agenda.setup(),
        punkt.setup(),
        punkt_fields.setup(),
        bilag.setup(),
        fallback.setup(),  # last: catches what no feature took
    ]
    dp.include_routers(*routers)
    # Routers that cannot take an update are skipped without asking their filters.
    gate_routers(routers)
    inline_pure_filters(dp)
    return dp


def build_bot(token: str, api_base: str | None) -> Bot:
    """A Bot talking to Telegram, or to a local Bot API server / emulator when configured."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else None
    bot = Bot(
        token=token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    bot.session.middleware(ChatPacer())
    return bot


def chat_pacer(bot: Bot) -> ChatPacer | None:
    """The pacer ``build_bot`` registered on the bot's session."""
    return next((m for m in bot.session.middleware if isinstance(m, ChatPacer)), None)


@dataclass(slots=True)
class Runtime:
    """Everything the running bot owns, so it can be closed in one place."""

    engine: AsyncEngine
    bot: Bot
    dispatcher: Dispatcher
    storage: BaseStorage
    i18n: CatalogI18n
    #: The one clock of the chat, the worker and the jobs (the demo moves it to the meeting).
    clock: Callable[[], datetime] = utc_now
    #: The outbox worker and the scheduler, started by ``start_delivery`` (bot/runner.py).
    worker: DeliveryWorker | None = None
    scheduler: RunningScheduler | None = None
    #: The Redis client of the shared send rate, when it lives in Redis.
    rate_redis: Any = None

    def shared_rate(self, settings: Settings) -> RateLimiter | None:
        """The send rate all bot processes share: in Redis when ``REDIS_URL`` is set, else in
        PostgreSQL; None on SQLite (one process by nature), where the worker keeps its own.
        One bucket per bot (Telegram counts per bot), named by the bot's id."""
        name = f"bot:{self.bot.id}"
        if settings.redis_url:
            from redis.asyncio import Redis

            from storage.redis_bucket import RedisSendBucket

            self.rate_redis = Redis.from_url(settings.redis_url)
            key = f"udvalgsbot:send-bucket:{name}"
            return SharedRateLimiter(
                RedisSendBucket(
                    self.rate_redis, key, settings.delivery_rate, SHARED_BURST, SHARED_AHEAD
                )
            )
        if is_sqlite(settings.database_url):
            return None
        from storage.send_bucket import PgSendBucket

        bucket = PgSendBucket(self.engine, name, settings.delivery_rate, SHARED_BURST, SHARED_AHEAD)
        return SharedRateLimiter(bucket)

    def start_delivery(self, settings: Settings) -> None:
        """Start the outbox worker and (unless disabled) the scheduler in the running loop."""
        session_factory = make_session_factory(self.engine)
        texts = texts_for(self.i18n)
        self.worker = DeliveryWorker(
            self.bot,
            OutboxQueue(session_factory),
            DeliveryConfig(
                rate=settings.delivery_rate,
                private_interval=settings.delivery_private_interval,
                group_interval=settings.delivery_group_interval,
                lease=settings.delivery_lease_seconds,
                max_attempts=settings.delivery_max_attempts,
                poll_interval=settings.delivery_poll_seconds,
            ),
            texts,
            pack_button,
            pacer=chat_pacer(self.bot),
            clock=self.clock,
            limiter=self.shared_rate(settings),
        )
        self.worker.start()
        self.dispatcher["outbox_wake"] = self.worker.wake
        if settings.scheduler_enabled:
            wake = self.worker.wake
            template = settings.read_docx_template()

            def status_jobs(scheduler: AsyncIOScheduler) -> None:
                register_status_jobs(
                    scheduler,
                    StatusJobContext(
                        uow_factory=lambda: SqlUnitOfWork(session_factory),
                        texts=texts,
                        zone=settings.timezone,
                        clock=self.clock,
                        wake=wake,
                        template=template,
                    ),
                    tick_seconds=settings.scheduler_watch_seconds,
                )

            self.scheduler = start_scheduler(
                settings.database_url,
                SchedulerContext(
                    uow_factory=lambda: SqlUnitOfWork(session_factory),
                    texts=texts,
                    zone=settings.timezone,
                    clock=self.clock,
                    wake=self.worker.wake,
                    on_start=status_jobs,
                    approval_hverdage=settings.approval_reminder_hverdage,
                ),
                watch_seconds=settings.scheduler_watch_seconds,
            )

    async def close(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.worker is not None:
            await self.worker.stop()
        if self.rate_redis is not None:
            await self.rate_redis.aclose()
        await self.storage.close()
        await self.bot.session.close()
        await self.engine.dispose()


def build_storage(
    settings: Settings, session_factory: object
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Dialog state: Redis when configured (several bot processes), else our database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        redis_storage = RedisStorage.from_url(settings.redis_url)
        return redis_storage, RedisEventIsolation(redis=redis_storage.redis)
    return SqlStorage(session_factory), SimpleEventIsolation()  # type: ignore[arg-type]


def build_runtime(
    settings: Settings, token: str, clock: Callable[[], datetime] = utc_now
) -> Runtime:
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    storage, isolation = build_storage(settings, session_factory)
    i18n = make_i18n(settings.default_language)
    config = ChatConfig(
        timezone=settings.timezone,
        invite_ttl=timedelta(days=settings.invite_ttl_days),
        default_language=settings.default_language,
        docx_template=settings.read_docx_template(),
        clock=clock,
        archive_base_url=settings.archive_base_url,
    )
    dispatcher = build_dispatcher(
        storage=storage,
        uow_factory=lambda: SqlUnitOfWork(session_factory),
        i18n=i18n,
        config=config,
        admin_ids=settings.admin_ids,
        events_isolation=isolation,
    )
    bot = build_bot(token, settings.telegram_api_base)
    return Runtime(
        engine=engine, bot=bot, dispatcher=dispatcher, storage=storage, i18n=i18n, clock=clock
    )
