"""Starting the bot loads no document, spreadsheet, calendar, holiday, image, template, search-stem
or migration library: each loads when it is first used (issue 17, item 4).

The start is replayed in a fresh interpreter, as ``udvalgsbot run`` does it up to its first update
except the network calls: import the command line and the runner, check the (migrated) database
is at the newest revision, build the runtime (engine, dispatcher with every router, bot) and
start the outbox worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from storage import migrate

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
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
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
    done = subprocess.run(
        [sys.executable, "-c", START],
        cwd=tmp_path,  # no developer's .env
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "aiogram" in loaded and "sqlalchemy" in loaded  # the replay did start the bot
    assert sorted(loaded & set(ON_FIRST_USE)) == []
