"""The archive's aiohttp application: configuration, templates, error pages, security headers.

``build_archive`` is called by the composition root (``bot/``), which hands it a unit-of-work
factory and the catalogue: the web layer never builds an engine or reads settings itself.
Mounted under a prefix (``/arkiv``) in the webhook process, or at the root by ``udvalgsbot web``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

import jinja2
from aiohttp import web
from babel.dates import format_date as babel_date

from agendas.archive import committee_path, meeting_path
from agendas.chatviews import Translate
from agendas.dates import format_time, to_local
from agendas.errors import NotFound
from agendas.ports import UnitOfWork
from agendas.search import MAX_QUERY
from agendas.services.archive import FileFormat, Renderer

log = logging.getLogger(__name__)

LOCALE = "da"


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """What the archive is told about its deployment."""

    zone: str = "Europe/Copenhagen"
    #: The public address of the archive (``ARCHIVE_BASE_URL``), for the feeds' absolute links;
    #: None: taken from each request (scheme, host and the prefix).
    base_url: str | None = None
    #: Where the archive is mounted ("/arkiv" in the bot's webhook process, "" standalone).
    prefix: str = ""
    #: The bot's Telegram username, for the "Følg udvalget" link; None: no link.
    bot_username: str | None = None
    #: The municipality's Word template for the DOCX downloads (``DOCX_TEMPLATE``).
    docx_template: bytes | None = None
    #: The PDF/A renderer of the public document; None: no PDF downloads on this server.
    pdf: Renderer | None = None


UowFactory = Callable[[], UnitOfWork]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONFIG = web.AppKey("archive_config", ArchiveConfig)
UOW: web.AppKey[UowFactory] = web.AppKey("archive_uow")
TEMPLATES = web.AppKey("archive_templates", jinja2.Environment)
TRANSLATE: web.AppKey[Translate] = web.AppKey("archive_translate")
#: The renderers of the downloads by format (no PDF: no PDF downloads), cached.
RENDERERS: web.AppKey[dict[FileFormat, Renderer]] = web.AppKey("archive_renderers")

#: No script, no frames, nothing from elsewhere: the archive is HTML and one stylesheet.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def long_date(day: date) -> str:
    """``4. marts 2026``."""
    return str(babel_date(day, format="long", locale=LOCALE))


def weekday_date(day: date) -> str:
    """``onsdag 4. marts 2026``."""
    return str(babel_date(day, format="EEEE d. MMMM y", locale=LOCALE))


def templates(translate: Translate, config: ArchiveConfig) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = translate
    env.globals["prefix"] = config.prefix
    env.globals["max_query"] = MAX_QUERY
    env.globals["committee_path"] = committee_path
    env.globals["meeting_path"] = meeting_path
    env.filters["long_date"] = long_date
    env.filters["weekday_date"] = weekday_date
    env.filters["clock"] = format_time

    def local_date(instant: datetime) -> str:
        return long_date(to_local(instant, config.zone).date())

    env.filters["local_date"] = local_date
    return env


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def absolute(request: web.Request, path: str) -> str:
    """The absolute URL of an archive path (``/udvalg/beu``), for feeds and calendars."""
    config = request.app[CONFIG]
    base = config.base_url or f"{request.scheme}://{request.host}{config.prefix}"
    return base.rstrip("/") + path


#: The title and text of the error page per status.
_ERROR_PAGES = {
    400: ("web-400-title", "web-400-text"),
    404: ("web-404-title", "web-404-text"),
    405: ("web-405-title", "web-405-text"),
    500: ("web-500-title", "web-500-text"),
}


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A Danish page for what is missing or not public yet, never a stack trace."""
    try:
        response = await handler(request)
    except NotFound:
        response = _error(request, 404)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = _error(request, exc.status)
    except Exception:
        log.exception("Archive page %s failed", request.path)
        response = _error(request, 500)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error(request: web.Request, status: int) -> web.Response:
    title, text = _ERROR_PAGES.get(status) or _ERROR_PAGES[500 if status >= 500 else 400]
    response = render(request, "fejl.html", status=status, title=title, text=text)
    if status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


def asset(name: str) -> str:
    return resources.files("web").joinpath("static", name).read_text("utf-8")
