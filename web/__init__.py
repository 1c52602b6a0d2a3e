"""The public web archive: committees, meetings (public versions only), documents, search,
calendar and news feeds. Routes and templates only; the use cases are
``agendas.services.archive`` (and the search service), reached through the unit of work.
"""

from __future__ import annotations

from aiohttp import web

from agendas.chatviews import Translate
from agendas.services.archive import FileFormat, cached, docx_renderer
from web import pages
from web.app import (
    CONFIG,
    RENDERERS,
    TEMPLATES,
    TRANSLATE,
    UOW,
    ArchiveConfig,
    UowFactory,
    error_pages,
    templates,
)

__all__ = ["ArchiveConfig", "build_archive"]


def build_archive(
    uow_factory: UowFactory, translate: Translate, config: ArchiveConfig
) -> web.Application:
    """The archive as an aiohttp application (mount it with ``add_subapp`` under a prefix)."""
    app = web.Application(middlewares=[error_pages])
    app[CONFIG] = config
    app[UOW] = uow_factory
    app[TEMPLATES] = templates(translate, config)
    app[TRANSLATE] = translate
    renderers = {FileFormat.DOCX: cached(docx_renderer(config.docx_template))}
    if config.pdf is not None:
        renderers[FileFormat.PDF] = cached(config.pdf)
    app[RENDERERS] = renderers
    pages.add_routes(app)
    return app
