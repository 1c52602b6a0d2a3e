"""The delivery worker: sends the outbox, within Telegram's limits, each message exactly once.

How a row travels:

1. ``claim``: due rows (pending and due, or "sending" with an expired lease) are leased to this
   worker in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers
   can share the outbox). A worker holds about what it sends in the next ``claim_ahead`` (2 s):
   as many rows as it sent in the last 2 s, so with the rate shared by several processes each
   holds its share, and a process killed mid-mailing strands only that until its lease runs out.
   The heartbeat renews the leases of the rows held every third of the lease.
2. ``send``: through the overall rate (``rate`` messages/s, 25 by default, under Telegram's 30;
   one bucket shared by every bot process on PostgreSQL or Redis, see bot/workers/rate.py) and
   per-chat spacing (1.1 s in a private chat, 3 s in a group = 20/min). The
   spacing counts every message the bot sends to the chat, the handlers' replies included
   (``ChatPacer``, a request middleware on the bot's session). A chat's rows go out in id order
   (one lock per chat), so the pages of an agenda arrive in order.
3. ``mark``: the row is marked sent, with Telegram's message id, in its own transaction right
   after Telegram accepted it.

Faults:

- 429 ``retry_after``: every sender waits until the pause is over; nothing is sent meanwhile.
  The waiting row keeps its place (not counted as a failed attempt).
- 5xx, timeouts and network errors: retried in place with exponential backoff (0.5 s, 1 s, 2 s…
  capped at 30 s) up to ``max_attempts``; then the row is marked failed with the error.
- 403 (the person blocked the bot): the row is marked unreachable, the chat is recorded as
  unreachable, and the udvalg's secretaries get a notice (through the outbox too).
- Other 4xx (a bad request): failed at once; retrying would not help.

Exactly once, and the one gap: a crash (SIGKILL, power loss) after Telegram accepted a message
and before step 3 committed leaves the row "sending"; when its lease runs out it is sent again,
so that one message can arrive twice. The Bot API has no idempotency key and no way to ask
whether a message arrived, so no client can close this gap; we keep it as small as we can (the
mark is the very next statement, a one-row UPDATE) and never lose a message instead. A graceful
stop (SIGINT/SIGTERM) lets sends in flight finish and be marked, and gives unsent claims back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import html
import logging
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas.chatviews import Texts
from agendas.dates import utc_now
from agendas.mailings import ButtonSpec
from agendas.outbox import OutboxKind, OutboxMessage
from bot.workers.pacing import ChatPacer
from bot.workers.rate import LocalRateLimiter, RateLimiter
from storage.outbox_queue import OutboxQueue

log = logging.getLogger(__name__)

#: Turns a button the domain described into callback data (``handlers.callbacks.pack_button``,
#: handed in by the composition root); None drops the button.
PackButton = Callable[[ButtonSpec], str | None]


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """Rates and timings; the defaults keep under Telegram's limits with room to spare."""

    rate: float = 25.0  # messages per second, overall (all processes, when shared)
    private_interval: float = 1.1  # to one private chat: Telegram allows 1/s; keep a margin
    group_interval: float = 3.0  # seconds between two messages to one group (20/min)
    lease: float = 60.0  # seconds a claim lasts; after a crash the row is due again then
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    poll_interval: float = 0.5  # seconds between looks at the outbox when it was empty
    batch: int = 100  # rows claimed at a time (at most what the lease lets us send)
    #: Rows held cover about this many seconds of sending at the rate this process gets (its
    #: share when several processes share the rate), never fewer than a quarter of that at
    #: ``rate``: a process killed mid-mailing strands only that much until the lease runs out.
    claim_ahead: float = 2.0
    send_timeout: float = 15.0


#: ``_send_and_mark`` after a 429: send again once the pause is over (not a failed attempt).
RETRY_AFTER = "retry_after"


class _Permanent(Exception):
    """A failure retrying cannot fix (bad request, unknown payload)."""


class DeliveryWorker:
    """One asyncio task that claims rows and spawns one sender task per row."""

    def __init__(
        self,
        bot: Bot,
        queue: OutboxQueue,
        config: DeliveryConfig,
        texts: Texts,
        pack_button: PackButton,
        clock: Callable[[], datetime] = utc_now,
        pacer: ChatPacer | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.pack_button = pack_button
        self.queue = queue
        self.config = config
        self.texts = texts
        self.clock = clock
        #: The overall rate: this process's own unless the composition root shares one.
        self.limiter = limiter or LocalRateLimiter(config.rate)
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self.pacer = pacer or ChatPacer()
        self._resume_at = 0.0  # loop time until which nothing is sent (a 429's retry_after)
        self._senders: set[asyncio.Task[None]] = set()
        #: Row ids this worker holds; their leases are renewed while they wait (a 429 pause).
        self._held: set[int] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        self._critical: set[asyncio.Future[Any]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        #: Uploaded files by content hash: the .ics goes up once, then travels by file_id.
        self._file_ids: dict[str, str] = {}
        self.sent = 0
        self.retry_after_pauses = 0
        #: Loop times of the sends of the last ``claim_ahead`` seconds: the rate this process
        #: gets, which sizes its claims.
        self._recent: deque[float] = deque()
        #: The claim loop claims again once no more senders than this are left.
        self._refill_at = 0

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-worker")
        self._heartbeat = asyncio.create_task(self._renew_leases(), name="outbox-leases")

    def wake(self) -> None:
        """Look at the outbox now (a service just wrote to it)."""
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop claiming; unsent claims go back to pending; sends in flight finish, marked."""
        self._stopping = True
        self._wake.set()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._task is not None:
            # The claim loop sees ``_stopping`` and ends between two claims. Cancelling it inside
            # a claim could leave rows leased that no sender holds (the commit finished in its
            # thread while the awaiting coroutine was cancelled): cancel only if it hangs.
            done, _ = await asyncio.wait({self._task}, timeout=timeout)
            if not done:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        # A sender cancelled before its first step never runs its clean-up, so its claim would
        # stay leased: let every sender start first (each then sees ``_stopping``).
        await asyncio.sleep(0)
        for task in list(self._senders):
            task.cancel()
        if self._senders:
            await asyncio.wait(self._senders, timeout=timeout)
        if self._critical:
            await asyncio.wait(self._critical, timeout=timeout)

    # -- claiming -------------------------------------------------------------------------------

    def _claim_target(self) -> int:
        """How many rows this worker should hold: what it sent in the last ``claim_ahead``
        seconds (so about as many as it will send in the next, at its share of the rate), at
        least a quarter of ``claim_ahead`` at the full rate (to get going after a quiet spell),
        at most ``batch`` and what the lease lets it send well within."""
        horizon = self.config.claim_ahead
        cutoff = asyncio.get_running_loop().time() - horizon
        while self._recent and self._recent[0] < cutoff:
            self._recent.popleft()
        floor = math.ceil(self.config.rate * horizon / 4)
        by_lease = int(self.config.rate * self.config.lease / 2)
        return max(1, min(self.config.batch, by_lease, max(floor, len(self._recent))))

    async def _run(self) -> None:
        lease = timedelta(seconds=self.config.lease)
        while not self._stopping:
            target = self._claim_target()
            room = max(0, target - len(self._senders))
            self._refill_at = target - max(1, target // 2)
            claimed: list[OutboxMessage] = []
            if room >= max(1, target // 2) or (room > 0 and not self._senders):
                try:
                    claimed = await self.queue.claim(
                        room,
                        lease,
                        self.clock(),
                        private_interval=self.config.private_interval,
                        group_interval=self.config.group_interval,
                    )
                except Exception:  # the database is briefly unavailable: log, try again
                    log.exception("Claiming outbox rows failed")
                    await asyncio.sleep(self.config.poll_interval * 4)
                    continue
            for message in claimed:
                row_id = message.id or 0
                if row_id in self._held:
                    continue  # still ours (its lease was renewed by the claim): keep one sender
                self._held.add(row_id)
                task = asyncio.create_task(self._deliver(message))
                self._senders.add(task)
                task.add_done_callback(self._senders.discard)
                task.add_done_callback(functools.partial(_forget, self._held, row_id))
                task.add_done_callback(self._sender_done)
            if claimed:
                await asyncio.sleep(0)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)

    def _sender_done(self, _task: asyncio.Task[None]) -> None:
        """Half the rows held are sent: claim more now, not at the next poll."""
        if len(self._senders) <= self._refill_at:
            self._wake.set()

    async def _renew_leases(self) -> None:
        """Every third of the lease, extend the leases of the rows still held, so a row that
        waits (a long 429 pause, a slow chat) is never taken over by another worker."""
        while True:
            await asyncio.sleep(self.config.lease / 3)
            try:
                await self.queue.extend_many(
                    sorted(self._held), self.clock() + timedelta(seconds=self.config.lease)
                )
            except Exception:  # the database is briefly unavailable: the next beat tries again
                log.exception("Renewing outbox leases failed")

    # -- sending one row ------------------------------------------------------------------------

    async def _deliver(self, message: OutboxMessage) -> None:
        assert message.id is not None
        lock = self._chat_locks.setdefault(message.chat_id, asyncio.Lock())
        attempts = 0
        critical: asyncio.Future[str | None] | None = None
        try:
            async with lock:
                while True:
                    await self._wait_turn(message.chat_id)
                    if self._stopping:
                        # A cancel can be swallowed by a waiting primitive; never send after
                        # stop() began, or a later row of the chat could overtake an earlier one.
                        raise asyncio.CancelledError
                    # From the pause check to the HTTP request there is no await in between.
                    critical = asyncio.ensure_future(self._send_and_mark(message))
                    self._critical.add(critical)
                    critical.add_done_callback(self._critical.discard)
                    outcome = await asyncio.shield(critical)
                    critical = None
                    if outcome is None:
                        return
                    if outcome == RETRY_AFTER:
                        continue  # the pause is set; not a failed attempt
                    attempts += 1
                    if attempts >= self.config.max_attempts:
                        await self.queue.fail(message.id, outcome)
                        log.error(
                            "Outbox row %s failed after %s attempts: %s",
                            message.id,
                            attempts,
                            outcome,
                        )
                        return
                    delay = min(
                        self.config.backoff_max, self.config.backoff_base * 2 ** (attempts - 1)
                    ) * random.uniform(0.8, 1.2)
                    log.warning(
                        "Outbox row %s: %s; retry %s in %.1f s",
                        message.id,
                        outcome,
                        attempts,
                        delay,
                    )
                    await self.queue.extend(
                        message.id, self.clock() + timedelta(seconds=delay + self.config.lease)
                    )
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            # Stopping: a send in flight finishes and is marked; an unsent claim goes back to
            # pending so the next start sends it at once instead of after the lease.
            outcome = None
            if critical is not None:
                with contextlib.suppress(Exception):
                    done, _ = await asyncio.wait({critical}, timeout=self.config.send_timeout)
                    outcome = critical.result() if done else None
            if critical is None or outcome is not None:
                with contextlib.suppress(Exception):
                    await self.queue.release(message.id, message.not_before, "stopped")
            raise
        except Exception:
            log.exception("Outbox row %s: unexpected error", message.id)
            with contextlib.suppress(Exception):
                await self.queue.fail(message.id, "unexpected error")

    async def _wait_turn(self, chat_id: int) -> None:
        """Per-chat spacing, the overall rate, then any 429 pause (checked last)."""
        loop = asyncio.get_running_loop()
        interval = self.config.group_interval if chat_id < 0 else self.config.private_interval
        while (wait := self.pacer.ready_at(chat_id, interval) - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)  # a handler may have replied meanwhile: look again
        while True:
            while (pause := self._resume_at - loop.time()) > 0:  # noqa: ASYNC110 - a deadline
                await asyncio.sleep(pause)
            await self.limiter.acquire()
            # A turn granted while a pause began is not used: after the pause every sender
            # takes a fresh turn, so the senders do not all go at once when it ends.
            if self._resume_at <= loop.time():
                return

    async def _send_and_mark(self, message: OutboxMessage) -> str | None:
        """Send and record the outcome; returns an error text when the send should be retried."""
        assert message.id is not None
        loop = asyncio.get_running_loop()
        try:
            sent = await self._send(message)
        except TelegramRetryAfter as exc:
            self._resume_at = max(self._resume_at, loop.time() + exc.retry_after)
            self.retry_after_pauses += 1
            log.warning("Telegram asked to wait %s s (429); all sending paused", exc.retry_after)
            await self.queue.extend(
                message.id, self.clock() + timedelta(seconds=exc.retry_after + self.config.lease)
            )
            return RETRY_AFTER
        except TelegramForbiddenError as exc:
            await self._unreachable(message, exc.message)
            return None
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        except (TelegramAPIError, _Permanent) as exc:
            await self.queue.fail(message.id, f"{type(exc).__name__}: {exc}")
            log.error("Outbox row %s refused: %s", message.id, exc)
            return None
        self.pacer.record(message.chat_id)
        self._recent.append(loop.time())
        await self._mark_sent(message.id, sent.message_id)
        self.sent += 1
        return None

    async def _mark_sent(self, row_id: int, message_id: int) -> None:
        """Record the send; Telegram has the message, so a busy database must not turn this
        into a failure (or, worse, a retry): try for a while before giving up."""
        for attempt in range(20):
            try:
                await self.queue.mark_sent(row_id, message_id, self.clock())
                return
            except Exception:
                if attempt == 19:
                    raise
                log.warning("Marking outbox row %s as sent failed; trying again", row_id)
                await asyncio.sleep(0.25)

    async def _send(self, message: OutboxMessage) -> Message:
        payload = message.payload
        kind = payload.get("type")
        timeout = int(self.config.send_timeout)
        if kind == "message":
            return await self.bot.send_message(
                message.chat_id,
                str(payload["text"]),
                reply_markup=_keyboard(payload.get("buttons") or [], self.pack_button),
                request_timeout=timeout,
            )
        if kind == "document":
            encoded = payload.get("content_b64")
            content = (
                base64.b64decode(str(encoded))
                if encoded
                else str(payload["content"]).encode("utf-8")
            )
            digest = hashlib.sha256(content).hexdigest()
            file_id = self._file_ids.get(digest)
            document: Any = file_id or BufferedInputFile(content, str(payload["file_name"]))
            sent = await self.bot.send_document(
                message.chat_id,
                document,
                caption=str(payload.get("caption") or "") or None,
                reply_markup=_keyboard(payload.get("buttons") or [], self.pack_button),
                request_timeout=timeout,
            )
            if sent.document is not None:
                self._file_ids[digest] = sent.document.file_id
            return sent
        raise _Permanent(f"unknown payload type {kind!r}")

    async def _unreachable(self, message: OutboxMessage, error: str) -> None:
        """403: record it and tell the secretaries (not for notices, which could loop)."""
        assert message.id is not None
        notices: list[OutboxMessage] = []
        # One notice per blocked person and mailing ("release:7:p3:0" and "…:ics" are one).
        mailing = message.key.split(":p", 1)[0]
        if message.kind is not OutboxKind.NOTICE:
            name, udvalg, secretaries = await self.queue.notice_context(
                message.person_id, message.udvalg_id
            )
            for person_id, chat_id, language in secretaries:
                if chat_id == message.chat_id:
                    continue
                text = self.texts(language)("release-unreachable", name=name, udvalg=udvalg)
                notices.append(
                    OutboxMessage(
                        key=f"unreachable:{message.chat_id}:{mailing}:p{person_id}",
                        chat_id=chat_id,
                        kind=OutboxKind.NOTICE,
                        payload={"type": "message", "text": _escape(text), "buttons": []},
                        not_before=self.clock(),
                        person_id=person_id,
                        udvalg_id=message.udvalg_id,
                    )
                )
        log.warning(
            "Chat %s blocked the bot; outbox row %s not delivered", message.chat_id, message.id
        )
        await self.queue.unreachable(message, error, notices, self.clock())
        self._wake.set()


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _forget(held: set[int], row_id: int, _task: asyncio.Task[None]) -> None:
    """A sender is done: its row is no longer held by this worker."""
    held.discard(row_id)


def _keyboard(rows: list[list[dict[str, Any]]], pack: PackButton) -> InlineKeyboardMarkup | None:
    buttons: list[list[InlineKeyboardButton]] = []
    for row in rows:
        line: list[InlineKeyboardButton] = []
        for data in row:
            spec = ButtonSpec.from_json(data)
            callback = pack(spec)
            if callback is None:
                continue
            line.append(InlineKeyboardButton(text=spec.label, callback_data=callback))
        if line:
            buttons.append(line)
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None
