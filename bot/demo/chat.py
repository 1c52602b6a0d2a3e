"""Simulated people talking to the bot through the emulator, printed as a chat transcript."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from agendas.chatviews import human_size
from bot_api_emulator import Button, ChatMessage, EmulatorClient, EmulatorTimeout, EmuUser

#: How long the bot may stay silent before we take its answer as complete.
QUIET = 0.25
#: How long the bot may take for its first answer.
FIRST = 15.0
#: After a toast or a keyboard edit only: how long to wait for the text that usually follows.
HIDDEN = 3.0
_TAG = re.compile(r"<[^>]+>")
_KINDS = ("send", "edit", "callback_answer")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def html_to_text(source: str) -> str:
    """Telegram HTML as a terminal shows it: tags dropped (a link as "text (address)"),
    entities decoded."""
    return html.unescape(_TAG.sub("", _LINK.sub(r"\2 (\1)", source)))


@dataclass
class Transcript:
    """Writes the conversation as a person would read it in a chat app."""

    write: Callable[[str], None] = print
    width: int = 96
    lines: list[str] = field(default_factory=list)

    def emit(self, text: str = "") -> None:
        self.lines.append(text)
        self.write(text)

    def heading(self, text: str) -> None:
        self.emit()
        self.emit(f"━━ {text} " + "━" * max(3, self.width - len(text) - 4))

    def said(self, who: str, text: str) -> None:
        first, *rest = text.split("\n")
        self.emit(f"  {who} ▸ {first}")
        pad = " " * (len(who) + 5)
        for line in rest:
            self.emit(f"{pad}{line}")

    def pressed(self, who: str, label: str) -> None:
        self.emit(f"  {who} trykker på [{label}]")

    def sent_file(self, who: str, name: str, size: int) -> None:
        self.emit(f"  {who} sender filen 📎 {name} ({human_size(size)})")

    def bot(self, to: str, message: ChatMessage, *, edited: bool = False) -> None:
        marker = "(rettet) " if edited else ""
        self.emit(f"    Udvalgsbot → {to}: {marker}".rstrip())
        if message.document is not None:
            name = message.document.file_name or "fil"
            mark = "🖼 billede:" if message.photo else "📎"
            self.emit(f"      {mark} {name} ({human_size(message.document.size)})")
        body = html_to_text(message.html)
        for paragraph in body.split("\n"):
            wrapped = textwrap.wrap(paragraph, self.width - 8) or [""]
            for line in wrapped:
                self.emit(f"      {line}".rstrip())
        rows = message.buttons
        for row in rows:
            self.emit("      " + "  ".join(f"[{b.text}]" for b in row))

    def alert(self, to: str, text: str) -> None:
        self.emit(f"    Udvalgsbot → {to} (kort besked): {text}")


@dataclass
class Person:
    """One simulated person: types, taps buttons, sends files, and sees the bot's answers."""

    name: str
    role: str
    user: EmuUser
    client: EmulatorClient
    transcript: Transcript
    last: list[ChatMessage] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"

    async def say(self, text: str) -> list[ChatMessage]:
        self.transcript.said(self.label, text)
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            await self.client.send_command(self.user, command, args)
        else:
            await self.client.send_text(self.user, text)
        return await self.answers()

    async def send_file(self, name: str, data: bytes, mime_type: str) -> list[ChatMessage]:
        self.transcript.sent_file(self.label, name, len(data))
        await self.client.send_document(self.user, data, name, mime_type=mime_type)
        return await self.answers()

    async def press(self, label: str, message: ChatMessage | None = None) -> list[ChatMessage]:
        """Tap the button whose text contains ``label`` on the newest message that has one."""
        candidates = [message] if message is not None else list(reversed(self.last))
        if message is None and not _has(candidates, label):
            await self.answers()  # the question may still be on its way on a busy machine
            candidates = list(reversed(self.last))
        for candidate in candidates:
            for button in (b for row in candidate.buttons for b in row):
                if label.lower() in button.text.lower():
                    self.transcript.pressed(self.label, button.text)
                    await self.client.press_button(self.user, candidate, text=button.text)
                    return await self.answers()
        seen = [b for m in candidates for b in m.button_texts]
        raise LookupError(f"{self.name} sees no button {label!r}; buttons: {seen}")

    async def tap(self, message: ChatMessage, button: Button) -> list[ChatMessage]:
        """Tap exactly this button of this message (by its callback data, not its label)."""
        self.transcript.pressed(self.label, button.text)
        if button.callback_data is not None:
            await self.client.press_button(self.user, message, data=button.callback_data)
        else:
            await self.client.press_button(self.user, message, text=button.text)
        return await self.answers()

    async def answers(self) -> list[ChatMessage]:
        """What the bot did in reply: wait for its first reaction, then until it falls quiet."""
        messages: list[ChatMessage] = []
        timeout = FIRST
        while True:
            try:
                events = await self.client.wait_events(self.user, 1, kinds=_KINDS, timeout=timeout)
            except EmulatorTimeout:
                break
            # A tap is first answered by a toast and by the question losing its buttons; the
            # next question may take longer on a busy machine, so only text ends the wait soon.
            timeout = HIDDEN if not messages else QUIET
            for event in events:
                if event.kind == "callback_answer":
                    text = str(event.detail.get("text") or "")
                    if event.detail.get("show_alert") and text:
                        self.transcript.alert(self.name, text)
                        timeout = QUIET
                elif event.kind == "edit" and _only_buttons_changed(event.message):
                    continue  # the question loses its buttons once answered: nothing to read
                elif event.message is not None:
                    self.transcript.bot(self.name, event.message, edited=event.kind == "edit")
                    messages.append(event.message)
                    timeout = QUIET
        if messages:
            self.last = messages
        return messages

    def find(self, pattern: str) -> re.Match[str]:
        """A regex match in the newest answers (e.g. the invite link)."""
        for message in reversed(self.last):
            found = re.search(pattern, message.text or "")
            if found:
                return found
        raise LookupError(f"{pattern!r} not in the bot's last answer to {self.name}")


def _only_buttons_changed(message: ChatMessage | None) -> bool:
    if message is None or not message.edits:
        return False
    return message.edits[-1].source == message.source and message.edits[-1].text == message.text


def _has(messages: list[ChatMessage], label: str) -> bool:
    return any(label.lower() in text.lower() for m in messages for text in m.button_texts)
