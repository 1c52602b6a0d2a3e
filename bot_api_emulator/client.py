"""An async client for the control API: what tests and the demo use to play the people."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import aiohttp

from bot_api_emulator.client_types import ChatEvent, ChatMessage, EmuChat, EmuUser


class EmulatorError(RuntimeError):
    """The control API refused a request (unknown user, no such button, …)."""


class EmulatorTimeout(EmulatorError, TimeoutError):
    """The bot did not do what a test waited for in time."""


UserRef = int | EmuUser
ChatRef = int | EmuUser | EmuChat


def _id(ref: ChatRef) -> int:
    return ref if isinstance(ref, int) else ref.id


class EmulatorClient:
    """Drives the emulator over HTTP.

    ``wait_messages`` remembers, per chat, the last bot message it returned, so successive calls
    return successive messages even when the bot answered before the wait began.
    """

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self._cursors: dict[tuple[int, frozenset[str]], int] = {}

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _call(
        self,
        verb: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        async with self._http().request(
            verb, f"{self.base_url}/_emu/{path}", json=body, params=query
        ) as resp:
            data = await resp.json()
            if resp.status >= 400:
                message = data.get("error", resp.reason) if isinstance(data, dict) else resp.reason
                raise EmulatorError(f"{verb} /_emu/{path}: {message}")
            return data

    # ------------------------------------------------------------------- the world
    async def bot_info(self) -> dict[str, Any]:
        """The bot, its token, webhook, commands and menu buttons."""
        return dict(await self._call("GET", "bot"))

    async def reset(self) -> None:
        await self._call("POST", "reset")
        self._cursors.clear()

    async def create_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
        user_id: int | None = None,
        started: bool = False,
    ) -> EmuUser:
        """A Telegram user. ``started``: has already opened the chat with the bot (else the bot
        cannot write first: 403 "bot can't initiate conversation with a user")."""
        data = await self._call(
            "POST",
            "users",
            {
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
                "id": user_id,
                "started": started,
            },
        )
        return EmuUser(data["id"], data["first_name"], data.get("last_name"), data.get("username"))

    async def create_group(
        self, title: str, members: Iterable[UserRef], *, supergroup: bool = False
    ) -> EmuChat:
        data = await self._call(
            "POST",
            "chats",
            {
                "title": title,
                "member_ids": [_id(m) for m in members],
                "type": "supergroup" if supergroup else "group",
            },
        )
        return EmuChat(data["id"], data["type"], data.get("title"), tuple(data["members"]))

    # ------------------------------------------------------------ what people do
    async def send_text(
        self,
        user: UserRef,
        text: str,
        *,
        chat: ChatRef | None = None,
        reply_to: int | ChatMessage | None = None,
    ) -> ChatMessage:
        """The user writes ``text`` (``/commands`` in it get bot_command entities)."""
        reply_id = reply_to.message_id if isinstance(reply_to, ChatMessage) else reply_to
        data = await self._call(
            "POST",
            "messages",
            {
                "user_id": _id(user),
                "chat_id": _id(chat) if chat is not None else None,
                "text": text,
                "reply_to_message_id": reply_id,
            },
        )
        return ChatMessage.from_json(data["message"])

    async def send_command(
        self, user: UserRef, command: str, args: str = "", *, chat: ChatRef | None = None
    ) -> ChatMessage:
        text = command if command.startswith("/") else f"/{command}"
        return await self.send_text(user, f"{text} {args}".strip(), chat=chat)

    async def send_document(
        self,
        user: UserRef,
        data: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
    ) -> ChatMessage:
        result = await self._call(
            "POST",
            "documents",
            {
                "user_id": _id(user),
                "chat_id": _id(chat) if chat is not None else None,
                "file_name": file_name,
                "mime_type": mime_type,
                "caption": caption,
                "data_b64": base64.b64encode(data).decode("ascii"),
            },
        )
        return ChatMessage.from_json(result["message"])

    async def press_button(
        self,
        user: UserRef,
        message: ChatMessage,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """Tap the inline button with this text (or callback data); returns the query id."""
        result = await self._call(
            "POST",
            "callbacks",
            {
                "user_id": _id(user),
                "chat_id": message.chat_id,
                "message_id": message.message_id,
                "text": text,
                "data": data,
            },
        )
        return str(result["callback_query_id"])

    async def block_bot(self, user: UserRef) -> None:
        await self._call("POST", f"users/{_id(user)}/block", {"blocked": True})

    async def unblock_bot(self, user: UserRef) -> None:
        await self._call("POST", f"users/{_id(user)}/block", {"blocked": False})

    # ---------------------------------------------------------- what the bot did
    async def messages(self, chat: ChatRef, *, with_data: bool = True) -> list[ChatMessage]:
        """Every message in the chat, both sides, in order (deleted ones flagged)."""
        data = await self._call(
            "GET", f"chats/{_id(chat)}/messages", query={"with_data": "1" if with_data else "0"}
        )
        return [ChatMessage.from_json(m) for m in data]

    async def bot_messages(
        self, chat: ChatRef, *, include_deleted: bool = False
    ) -> list[ChatMessage]:
        return [
            m
            for m in await self.messages(chat)
            if m.from_bot and (include_deleted or not m.deleted)
        ]

    async def last_bot_message(self, chat: ChatRef) -> ChatMessage:
        messages = await self.bot_messages(chat)
        if not messages:
            raise EmulatorError(f"the bot has sent nothing to chat {_id(chat)}")
        return messages[-1]

    async def events(
        self, chat: ChatRef, *, since: int = 0, kinds: Iterable[str] | None = None
    ) -> list[ChatEvent]:
        query = {"since": str(since)}
        if kinds is not None:
            query["kinds"] = ",".join(kinds)
        data = await self._call("GET", f"chats/{_id(chat)}/events", query=query)
        return [ChatEvent.from_json(e) for e in data]

    async def wait_events(
        self,
        chat: ChatRef,
        count: int = 1,
        *,
        kinds: Iterable[str] = ("send",),
        timeout: float = 5.0,  # noqa: ASYNC109 (the server waits; this bounds it)
    ) -> list[ChatEvent]:
        """The next ``count`` events of ``kinds`` in the chat (after those returned before)."""
        key = (_id(chat), frozenset(kinds))
        try:
            data = await self._call(
                "POST",
                f"chats/{_id(chat)}/wait",
                {
                    "count": count,
                    "since": self._cursors.get(key, 0),
                    "timeout": timeout,
                    "kinds": sorted(key[1]),
                },
            )
        except EmulatorError as exc:
            if "timeout" not in str(exc):
                raise
            got = await self.events(chat, since=self._cursors.get(key, 0), kinds=key[1])
            seen = [e.message.html if e.message else e.kind for e in got]
            raise EmulatorTimeout(
                f"waited {timeout}s for {count} × {sorted(key[1])} in chat {_id(chat)}, "
                f"got {len(got)}: {seen}"
            ) from None
        self._cursors[key] = data["cursor"]
        return [ChatEvent.from_json(e) for e in data["events"]]

    async def wait_messages(
        self,
        chat: ChatRef,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ChatMessage]:
        """The next ``count`` messages the bot sends to the chat (as they are now)."""
        events = await self.wait_events(chat, count, kinds=("send",), timeout=timeout)
        return [e.message for e in events if e.message is not None]

    async def wait_message(
        self,
        chat: ChatRef,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ChatMessage:
        return (await self.wait_messages(chat, 1, timeout=timeout))[0]

    async def skip_pending(self, chat: ChatRef) -> None:
        """Forget what the bot already did in the chat: later waits see only newer events."""
        data = await self._call("GET", f"chats/{_id(chat)}/cursor")
        for kinds in [k for c, k in self._cursors if c == _id(chat)] + [frozenset({"send"})]:
            self._cursors[(_id(chat), kinds)] = data["cursor"]

    async def callback_queries(self, chat: ChatRef | None = None) -> list[dict[str, Any]]:
        """Pressed buttons with ``answered`` and the bot's ``answer`` (text, show_alert…)."""
        query = {"chat_id": str(_id(chat))} if chat is not None else None
        return list(await self._call("GET", "callbacks", query=query))

    async def file_bytes(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.base_url}/_emu/files/{file_id}") as resp:
            if resp.status != 200:
                raise EmulatorError(f"unknown file_id {file_id}")
            return await resp.read()

    # ------------------------------------------------------------- faults, limits
    async def inject_fault(
        self,
        method: str,
        kind: str = "retry_after",
        count: int = 1,
        *,
        retry_after: int = 1,
        status: int = 500,
        delay: float = 0.0,
        chat: ChatRef | None = None,
    ) -> dict[str, Any]:
        """The next ``count`` calls of ``method`` (``*``: any) fail: kind is ``retry_after``
        (429), ``server_error`` (5xx), ``delay``, ``drop`` (no answer, nothing done) or
        ``drop_after`` (done, then no answer)."""
        return dict(
            await self._call(
                "POST",
                "faults",
                {
                    "method": method,
                    "kind": kind,
                    "count": count,
                    "retry_after": retry_after,
                    "status": status,
                    "delay": delay,
                    "chat_id": _id(chat) if chat is not None else None,
                },
            )
        )

    async def clear_faults(self) -> None:
        await self._call("DELETE", "faults")

    async def limits(self) -> dict[str, Any]:
        """``enabled``, ``sent``, ``refused``, ``refused_by_rule`` and the configured limits."""
        return dict(await self._call("GET", "limits"))

    async def set_limits(
        self,
        *,
        enabled: bool | None = None,
        reset: bool = False,
        global_per_second: int | None = None,
        private_per_second: int | None = None,
        group_per_minute: int | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"reset": reset}
        for key, value in (
            ("enabled", enabled),
            ("global_per_second", global_per_second),
            ("private_per_second", private_per_second),
            ("group_per_minute", group_per_minute),
        ):
            if value is not None:
                body[key] = value
        return dict(await self._call("POST", "limits", body))

    async def stats(self) -> dict[str, Any]:
        return dict(await self._call("GET", "stats"))

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Every Bot API call: ``t`` (seconds), ``method``, ``chat_id``, ``status``, ``fault``."""
        query = {"method": method} if method else None
        return list(await self._call("GET", "calls", query=query))

    async def pending_updates(self) -> list[dict[str, Any]]:
        return list(await self._call("GET", "updates"))
