"""A local Telegram Bot API emulator: the Bot API, a control API, faults and flood limits.

Start it with ``async with running_emulator() as emu:`` (``emu.base_url``, ``emu.token``,
``emu.client``), from the shell with ``udvalgsbot emulator --port N``, or ``serve()``.
"""

from bot_api_emulator.client import EmulatorClient, EmulatorError, EmulatorTimeout
from bot_api_emulator.client_types import (
    Button,
    ChatEvent,
    ChatMessage,
    Document,
    EmuChat,
    EmuUser,
)
from bot_api_emulator.core import DEFAULT_TOKEN, Emulator, EmulatorConfig
from bot_api_emulator.server import RunningEmulator, make_app, running_emulator, serve

__all__ = [
    "DEFAULT_TOKEN",
    "Button",
    "ChatEvent",
    "ChatMessage",
    "Document",
    "EmuChat",
    "EmuUser",
    "Emulator",
    "EmulatorClient",
    "EmulatorConfig",
    "EmulatorError",
    "EmulatorTimeout",
    "RunningEmulator",
    "make_app",
    "running_emulator",
    "serve",
]
