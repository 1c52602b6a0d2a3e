"""Starting the bot loads no document, spreadsheet, calendar, holiday, image, template, search-stem
or migration library: each loads when it is first used (issue 17, item 4). Nor does it load the
webhook server, the PostgreSQL dialect on SQLite, or the services of the features a member's
/start, /dagsorden and opened punkt never reach (issue 17: the idle bot's memory), nor build the
tables' pydantic validators.

The start is replayed in a fresh interpreter, as ``udvalgsbot run`` does it up to its first update
except the network calls: import the command line and the runner, check the (migrated) database
is at the newest revision, build the runtime (engine, dispatcher with every router, bot) and
start the outbox worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from storage import migrate
from tests.support.fresh import run_fresh

ROOT = Path(__file__).resolve().parents[1]

#: Loaded on first use only: a few MiB and a tenth of a second or more each.
ON_FIRST_USE = (
    "docx",  # python-docx: Word import and export
    "lxml",  # under python-docx
    "weasyprint",  # PDF/A export
    "pdfplumber",  # PDF import
    "pdfminer",
    "openpyxl",  # spreadsheet plans
    "icalendar",  # .ics files
    "holidays",  # hverdage
    "PIL",  # Pillow: the status chart
    "jinja2",  # HTML for PDF/A and the web archive
    "alembic",  # migrations: only when the database is not at the newest revision
    "snowballstemmer",  # search stems
)

#: Our own modules and library parts the start leaves for first use (full module names).
MODULES_ON_FIRST_USE = (
    "aiohttp.web",  # the webhook server: ``run --webhook`` only
    "aiogram.webhook",
    "sqlalchemy.dialects.postgresql",  # on SQLite; PostgreSQL's engine loads it
    "agendas.services.imports",  # a secretary's Word import
    "agendas.services.reimport",
    "agendas.services.roster",
    "agendas.roster_match",
    "agendas.documents.lines",
    "agendas.services.release",
    "agendas.services.search",  # /soeg
    "agendas.services.archive",
    "agendas.services.questions",
    "agendas.services.proposals",
    "agendas.meeting.attendance",  # meeting mode, afbud
    "agendas.meeting.decisions",
    "agendas.meeting.documents",  # the protocol's files
    "agendas.meeting.member_notices",
    "agendas.status.plans",  # status plans, their files and answers
    "agendas.status.plan_file",
    "agendas.status.answers",
    "agendas.status.overview",
)

START = """
import asyncio, json, sys

import bot.cli
import bot.runner
from bot.app import build_runtime
from bot.settings import Settings
from storage.migrate import upgrade_async


async def start() -> None:
    settings = Settings()
    await upgrade_async(settings.database_url)
    runtime = build_runtime(settings, settings.bot_token.get_secret_value())
    runtime.start_delivery(settings)
    await asyncio.sleep(0.3)  # the outbox worker looks at the queue once
    await runtime.close()


asyncio.run(start())
from pydantic_core import SchemaValidator
from sqlmodel import SQLModel


def tables(cls):
    for sub in cls.__subclasses__():
        yield from [sub] if getattr(sub, "__table__", None) is not None else []
        yield from tables(sub)


built = sorted(
    c.__name__ for c in tables(SQLModel) if isinstance(c.__pydantic_validator__, SchemaValidator)
)
print(json.dumps({"modules": sorted(sys.modules), "validators": built}))
"""


def test_the_start_loads_no_library_that_waits_for_first_use(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    migrate.upgrade(url)  # the usual start: the database is at the newest revision
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in {"DATABASE_URL", "REDIS_URL", "DOCX_TEMPLATE", "TELEGRAM_API_BASE"}
    }
    env |= {
        "BOT_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "DATABASE_URL": url,
        # The scheduler's jobs run at once and use what they need (hverdage, .ics): first use.
        "SCHEDULER_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    result = run_fresh(START, cwd=tmp_path, env=env, timeout=120)  # tmp_path: no developer's .env
    modules = set(result["modules"])
    loaded = {name.split(".")[0] for name in modules}
    assert "aiogram" in loaded and "sqlalchemy" in loaded  # the replay did start the bot
    assert "handlers.imports" in modules and "agendas.services.punkter" in modules
    assert sorted(loaded & set(ON_FIRST_USE)) == []
    early = {
        m for m in modules for name in MODULES_ON_FIRST_USE if m == name or m.startswith(name + ".")
    }
    assert sorted(early) == []
    # The tables' pydantic validators wait for first use too (rows go through SQLAlchemy only).
    assert result["validators"] == []
