"""aiogram's Telegram types are built on first use (``bot/telegram_types.py``), and every one of
them can be: a type that could not be built would otherwise fail only when a bot first met it.

Each test runs in a fresh interpreter: in this one aiogram is already imported.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.fresh import run_fresh

ROOT = Path(__file__).resolve().parents[1]

#: What the bot does: import aiogram through ``bot``, then take an update from Telegram (through
#: the same ``Response[list[Update]]`` aiogram's polling reads getUpdates with) and send a reply.
FIRST_USE = """
import json
import bot
from aiogram.methods import SendMessage
from aiogram.methods.base import Response
from aiogram.types import Message, Update

names = [
    name for name in __import__("aiogram.types").types.__all__
    if isinstance(getattr(__import__("aiogram.types").types, name), type)
    and hasattr(getattr(__import__("aiogram.types").types, name), "__pydantic_validator__")
]


def built():
    types = __import__("aiogram.types").types
    return sorted(
        n for n in names
        if type(getattr(types, n).__pydantic_validator__).__name__ == "SchemaValidator"
    )


before = built()
raw = {
    "ok": True,
    "result": [{
        "update_id": 7,
        "message": {
            "message_id": 1, "date": 0, "text": "/start",
            "chat": {"id": 42, "type": "private", "first_name": "Sofie"},
            "from": {"id": 42, "is_bot": False, "first_name": "Sofie"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }],
}
update = Response[list[Update]].model_validate(raw).result[0]
reply = SendMessage(chat_id=update.message.chat.id, text="Hej <b>Sofie</b>", parse_mode="HTML")
dumped = reply.model_dump()
print(json.dumps({
    "types": len(names),
    "before": before,
    "text": update.message.text,
    "user": update.message.from_user.first_name,
    "entity": update.message.entities[0].type,
    "reply": {key: dumped[key] for key in ("chat_id", "text", "parse_mode")},
}))
"""

#: Every type built after the bot's import, as pydantic builds one on first use.
EVERY_TYPE = """
import json
import bot
import aiogram.types as types

failed = []
for name in types.__all__:
    cls = getattr(types, name)
    if isinstance(cls, type) and hasattr(cls, "model_rebuild"):
        try:
            cls.model_rebuild(raise_errors=True)
            assert type(cls.__pydantic_validator__).__name__ == "SchemaValidator"
        except Exception as error:
            failed.append(f"{name}: {error}")
print(json.dumps(failed))
"""


def test_the_bot_builds_no_telegram_type_until_it_meets_one() -> None:
    result = run_fresh(FIRST_USE, cwd=ROOT)
    assert result["types"] > 400  # aiogram's Telegram types, found
    assert result["before"] == []  # none built by the import
    # ... and the ones met work as ever: the update read, the reply serialised.
    assert (result["text"], result["user"], result["entity"]) == ("/start", "Sofie", "bot_command")
    assert result["reply"] == {"chat_id": 42, "text": "Hej <b>Sofie</b>", "parse_mode": "HTML"}


def test_every_telegram_type_can_be_built_after_the_bots_import() -> None:
    assert run_fresh(EVERY_TYPE, cwd=ROOT) == []
