"""The end-to-end world: an emulator, the real bot process (polling or webhook) and its people.

The steps a user takes (the invite flow, a meeting, a sag through the dialog) are methods here so
every module can build on them; each asserts what the user sees along the way.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sqlite3
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot_api_emulator import (
    ChatMessage,
    EmulatorClient,
    EmulatorConfig,
    EmulatorTimeout,
    EmuUser,
    RunningEmulator,
    running_emulator,
)
from tests.support.botprocess import BotProcess

MODES = ("polling", "webhook")
#: Fast webhook retries: while the bot is down the emulator keeps trying every 0.2 s at most.
E2E_CONFIG = EmulatorConfig(webhook_retry_base=0.05, webhook_retry_max=0.2, webhook_timeout=5.0)
WEBHOOK_SECRET = "e2e-Webhook_Secret-0123456789"
WEBHOOK_PATH = "/telegram/webhook"
READY = ") ready"  # bot/runner.py logs "Bot @%s (id %s) ready" once started
LISTENING = "Webhook listening"

CODE = "BEU"
UDVALG = "Beskæftigelsesudvalget"
FORVALTNING = "Social- og Sundhedsforvaltningen"
LINK = re.compile(r"https://t\.me/(?P<bot>[A-Za-z0-9_]+)\?start=(?P<token>[A-Za-z0-9_-]+)")
#: Every setting of bot/settings.py: only what a test sets reaches the bot process.
#: Every setting the bot reads; none may leak in from the developer's environment.
SETTINGS_VARS = frozenset(name.upper() for name in Settings.model_fields)
#: Delivery settings for tests: the worker's own rate is the only brake (emulator limits off)
#: and a short lease lets a restarted process take over a killed one's claims within seconds.
FAST_DELIVERY = {
    "DELIVERY_RATE": "150",
    "DELIVERY_PRIVATE_INTERVAL": "0",
    "DELIVERY_LEASE_SECONDS": "2",
    "DELIVERY_POLL_SECONDS": "0.1",
}
#: The bot answers within milliseconds; a slow CI machine gets generous room.
WAIT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def future_date(days: int) -> date:
    """A day ``days`` ahead of today in Copenhagen (the bot runs on the real clock)."""
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date() + timedelta(days=days)


def dk(day: date) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass
class Committee:
    """The people of BEU after the invite flow."""

    secretary: EmuUser
    member: EmuUser
    member_link: str


@dataclass
class World:
    mode: str
    emu: RunningEmulator
    bot: BotProcess
    admin: EmuUser
    db_path: Path
    webhook_port: int | None
    committee: Committee | None = None
    meeting_day: date | None = None

    @property
    def client(self) -> EmulatorClient:
        return self.emu.client

    @property
    def webhook_url(self) -> str:
        assert self.webhook_port is not None
        return f"http://127.0.0.1:{self.webhook_port}{WEBHOOK_PATH}"

    # -- the process ----------------------------------------------------------------------------

    async def start_bot(self) -> None:
        offset = self.bot.start()
        await self.bot.wait_for_log(READY, after=offset)
        if self.mode == "webhook":
            await self.bot.wait_for_log(LISTENING, after=offset)

    async def stop_bot(self, how: str) -> None:
        """``stop``: SIGINT (Ctrl-C, systemd), must exit 0; ``kill``: SIGKILL, a crash."""
        if how == "kill":
            await self.bot.kill()
        else:
            code = await self.bot.stop()
            assert code == 0, f"graceful stop ended with exit code {code}:\n{self.bot.log()}"

    # -- talking --------------------------------------------------------------------------------

    async def expect(self, user: EmuUser, needle: str, timeout: float = WAIT) -> ChatMessage:  # noqa: ASYNC109
        """The next bot message to ``user`` that contains ``needle`` (plain text)."""
        seen: list[str] = []
        while True:
            try:
                message = await self.client.wait_message(user, timeout=timeout)
            except EmulatorTimeout:
                raise AssertionError(
                    f"no message with {needle!r} to {user.first_name}; got {seen}"
                ) from None
            seen.append(message.text or f"<document {message.document}>")
            if needle in (message.text or ""):
                return message

    async def ask(self, user: EmuUser, text: str, needle: str) -> ChatMessage:
        await self.client.send_text(user, text)
        return await self.expect(user, needle)

    async def press(
        self, user: EmuUser, message: ChatMessage, label: str, needle: str
    ) -> ChatMessage:
        await self.client.press_button(user, message, text=label)
        return await self.expect(user, needle)

    async def quiet(self, user: EmuUser, seconds: float = 1.0) -> None:
        """Assert the bot sends ``user`` nothing for ``seconds``."""
        with contextlib.suppress(EmulatorTimeout):
            message = await self.client.wait_message(user, timeout=seconds)
            raise AssertionError(f"the bot wrote to {user.first_name}: {message.text!r}")

    def assert_no_secrets_in_log(self) -> None:
        """The token (and the webhook secret) never appear in the bot's log, over every run."""
        log = self.bot.log()
        assert READY in log  # the log is the bot's, and it was written
        token = self.emu.token
        assert token not in log
        assert token.split(":", 1)[1] not in log
        assert WEBHOOK_SECRET not in log
        assert "Traceback" not in log, log

    # -- the database, read directly to count what was stored ------------------------------------

    def add_members(self, users: list[EmuUser], code: str = "BEU") -> None:
        """Members of ``code`` stored as the invite flow would leave them; for mass tests where
        a thousand invite dialogs would only measure the invite flow."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        with contextlib.closing(sqlite3.connect(self.db_path, timeout=10)) as db:
            udvalg_id = db.execute("SELECT id FROM udvalg WHERE code = ?", (code,)).fetchone()[0]
            for user in users:
                cursor = db.execute(
                    "INSERT INTO person (telegram_id, name, is_admin, name_fixed, created_at) "
                    "VALUES (?, ?, 0, 0, ?)",
                    (user.id, user.first_name, now),
                )
                db.execute(
                    "INSERT INTO membership (person_id, udvalg_id, role, created_at) "
                    "VALUES (?, ?, 'medlem', ?)",
                    (cursor.lastrowid, udvalg_id, now),
                )
            db.commit()

    def count(self, sql: str, *params: object) -> int:
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            return int(db.execute(sql, params).fetchone()[0])

    # -- the steps users take -------------------------------------------------------------------

    async def invite(self, inviter: EmuUser, role: str) -> str:
        reply = await self.ask(inviter, f"/inviter {CODE} {role}", "https://t.me/")
        match = LINK.search(reply.text or "")
        assert match, reply.text
        assert match["bot"] == self.emu.emulator.config.bot_username
        return match["token"]

    async def setup_committee(self) -> Committee:
        """The invite flow: admin creates BEU, invites the secretary, who invites a member."""
        if self.committee is not None:
            return self.committee
        created = await self.ask(
            self.admin, f"/nytudvalg {CODE} {UDVALG}; {FORVALTNING}", "er oprettet"
        )
        assert f"Udvalget {UDVALG} ({CODE}) er oprettet under {FORVALTNING}" in (created.text or "")

        token = await self.invite(self.admin, "sekretær")
        secretary = await self.client.create_user("Sofie", last_name="Holm", username="sofieholm")
        welcome = await self.ask(secretary, f"/start {token}", "Velkommen")
        assert f"Du er nu sekretær i {UDVALG} ({CODE})" in (welcome.text or "")
        assert "/nytmoede" in (welcome.text or "")

        member_token = await self.invite(secretary, "medlem")
        member = await self.client.create_user("Lars", last_name="Bech", username="larsbech")
        welcome = await self.ask(member, f"/start {member_token}", "Velkommen")
        assert f"Du er nu medlem i {UDVALG} ({CODE})" in (welcome.text or "")
        self.committee = Committee(secretary, member, member_token)
        return self.committee

    async def setup_meeting(self) -> date:
        if self.meeting_day is not None:
            return self.meeting_day
        committee = await self.setup_committee()
        day = future_date(30)
        created = await self.ask(
            committee.secretary, f"/nytmoede {CODE} {dk(day)} 14:00 Rådhuset", "Mødet er oprettet"
        )
        assert f"{UDVALG} ({CODE}) {dk(day)} kl. 14.00" in (created.text or "")
        assert "Sted: Rådhuset" in (created.text or "")
        self.meeting_day = day
        return day


@contextlib.asynccontextmanager
async def running_world(
    mode: str, workdir: Path, extra_env: Mapping[str, str] | None = None
) -> AsyncIterator[World]:
    """An emulator with an admin user, and the bot process started against it.

    ``extra_env``: settings for this bot only (e.g. faster delivery in the delivery tests).
    """
    assert mode in MODES
    async with running_emulator(config=E2E_CONFIG) as emu:
        admin = await emu.client.create_user("Anna", last_name="Admin", username="annaadmin")
        db_path = workdir / "bot.sqlite3"
        env = {
            "BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE": emu.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
            "ADMIN_IDS": str(admin.id),
            "LOG_LEVEL": "INFO",
            **(extra_env or {}),
        }
        args = ["run"]
        webhook_port = None
        if mode == "webhook":
            webhook_port = free_port()
            env |= {
                "WEBHOOK_BASE_URL": f"http://127.0.0.1:{webhook_port}",
                "WEBHOOK_SECRET": WEBHOOK_SECRET,
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(webhook_port),
                "WEBHOOK_PATH": WEBHOOK_PATH,
                "ARCHIVE_SERVE": "true",  # the public archive beside the webhook, at /arkiv
            }
            args.append("--webhook")
        bot = BotProcess(
            env=env, log_path=workdir / "bot.log", args=args, cwd=workdir, unset=SETTINGS_VARS
        )
        world = World(mode, emu, bot, admin, db_path, webhook_port)
        try:
            await world.start_bot()
            yield world
        finally:
            await bot.stop()
