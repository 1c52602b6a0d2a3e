"""The archive in a real browser: Debian's headless Chromium driven by Playwright (no browser
download: ``executable_path`` is the system's Chromium), on a phone-sized and a desktop screen.

A citizen opens the committee list, a committee, a meeting, searches, downloads the PDF; the
text of the closed punkt is in none of the pages, feeds or downloads. axe-core (bundled with
``axe-playwright-python``) runs in each page and finds no serious or critical violation of
WCAG 2.1 A/AA; nothing scrolls sideways on a phone; the focus is visible.

Chromium missing: the test fails under CI (.ci/run installs it) and is skipped elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.catalogue import catalogue_texts
from bot.web import pdf_renderer
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.support.pdfa import pdf_text
from tests.web import world
from tests.web.conftest import BOT_USERNAME
from web import ArchiveConfig, build_archive

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NEVER = (
    world.CLOSED_SECRET,
    world.CLOSED_BILAG,
    world.CLOSED_INTERNAL_DECISION,
    world.UNRELEASED_TITLE,
    "mette.juhl@kommune.dk",
    "12 34 56 78",
)


def _chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
async def archive_url(database_url: str) -> AsyncIterator[str]:
    """The archive with the real PDF/A renderer, on a loopback port Chromium can reach."""
    renderer = pdf_renderer()
    assert renderer is not None, "WeasyPrint (Pango) is needed for the PDF download"
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    app = build_archive(
        lambda: SqlUnitOfWork(factory),
        catalogue_texts("da"),
        ArchiveConfig(bot_username=BOT_USERNAME, pdf=renderer),
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()
    await engine.dispose()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    executable = _chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=LAUNCH_ARGS
        )
        yield launched
        await launched.close()


async def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


async def check_page(page: Any, seen: list[str]) -> None:
    """No serious axe violation, no sideways scrolling, Danish; keep the text for later."""
    assert await page.get_attribute("html", "lang") == "da"
    assert await serious_violations(page) == [], page.url
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    seen.append(await page.content())
    seen.append(await page.inner_text("body"))


async def test_a_citizen_reads_searches_and_downloads(
    browser: Any, archive_url: str, tmp_path: Path
) -> None:
    seen: list[str] = []
    for viewport in (PHONE, DESKTOP):
        context = await browser.new_context(viewport=viewport, accept_downloads=True)
        page = await context.new_page()

        await page.goto(f"{archive_url}/")
        await check_page(page, seen)
        await page.get_by_role("link", name="Beskæftigelsesudvalget").click()
        await page.wait_for_url(f"{archive_url}/udvalg/beu")
        await check_page(page, seen)
        follow = page.get_by_role("link", name="Følg Beskæftigelsesudvalget i Telegram")
        assert await follow.get_attribute("href") == f"https://t.me/{BOT_USERNAME}"

        await page.get_by_role("link", name="Møde onsdag 4. marts 2026 kl. 15.00").click()
        await page.wait_for_url(f"{archive_url}/udvalg/beu/2026-03-04")
        await check_page(page, seen)
        body = await page.inner_text("main")
        assert world.OPEN_DECISION in body and world.PUBLIC_DECISION in body
        assert await page.locator("h1").count() == 1

        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Hent referatet som PDF").click()
        download = await download_info.value
        assert download.suggested_filename == "Referat BEU 2026-03-04.pdf"
        target = tmp_path / f"referat-{viewport['width']}.pdf"
        await download.save_as(target)
        pdf = target.read_bytes()
        assert pdf.startswith(b"%PDF-")
        seen.append(pdf_text(pdf))
        assert world.CLOSED_TITLE in seen[-1] and world.PUBLIC_DECISION in seen[-1]

        await page.get_by_role("link", name="Søg", exact=True).click()
        await page.get_by_label("Søg i dagsordener og referater").fill("ungeteam")
        await page.get_by_label("Søg i dagsordener og referater").press("Enter")
        await page.wait_for_url(f"{archive_url}/soeg?q=ungeteam")
        await check_page(page, seen)
        assert await page.locator("ol.results > li").count() == 1
        await page.get_by_role("link", name=world.OPEN_TITLE).click()
        await page.wait_for_url(f"{archive_url}/udvalg/beu/2026-03-04#punkt-3")

        for path in ("/soeg?q=v%C3%A6rkstedspladser", "/udvalg/beu/2026-04-08", "/tilgaengelighed"):
            await page.goto(f"{archive_url}{path}")
            await check_page(page, seen)
        response = await page.goto(f"{archive_url}/udvalg/beu/2026-05-06")
        assert response is not None and response.status == 404
        await check_page(page, seen)
        assert await page.locator("h1").inner_text() == "Siden findes ikke"
        await context.close()

    for path in ("/referater.atom", "/udvalg/beu/kalender.ics"):
        context = await browser.new_context()
        response = await context.request.get(f"{archive_url}{path}")
        assert response.ok
        seen.append(await response.text())
        await context.close()

    assert len(seen) > 20
    for text in seen:
        for hidden in NEVER:
            assert hidden not in text, hidden


async def test_the_keyboard_reaches_the_content_first_and_shows_the_focus(
    browser: Any, archive_url: str
) -> None:
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{archive_url}/udvalg/beu")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Gå til indholdet"
    # The skip link is visible while it has the focus, with a focus mark.
    box = await page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    style = await page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.backgroundColor]; })()"
    )
    assert style[0] != "none" and style[1] != "0px", style
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "indhold"
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Udvalg"  # the first link inside the content: the breadcrumb
    await context.close()
