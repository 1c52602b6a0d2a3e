"""The public archive through HTTP, on a database seeded through the services (``world``):
what a citizen sees, and that nothing else is there."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import docx
import icalendar
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from agendas.archive import MASK_EMAIL, MASK_PHONE
from bot.catalogue import catalogue_texts
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.web import world
from tests.web.conftest import BOT_USERNAME
from tests.web.html_checks import parse, problems
from web import ArchiveConfig, build_archive

FIRST = "/udvalg/beu/2026-03-04"
SECOND = "/udvalg/beu/2026-04-08"
UNRELEASED = "/udvalg/beu/2026-05-06"
ATOM = "{http://www.w3.org/2005/Atom}"
#: What must never leave the committee: the closed punkt's content, its bilag, its internal
#: decision, the unreleased meeting, the contact person's e-mail address and phone number.
NEVER = (
    world.CLOSED_SECRET,
    world.CLOSED_BILAG,
    world.CLOSED_INTERNAL_DECISION,
    "82.02.00-G01-1-26",
    world.UNRELEASED_TITLE,
    "mette.juhl@kommune.dk",
    "12 34 56 78",
)


async def text_of(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path)
    body = await response.text()
    assert response.status == status, (path, body[:500])
    return body


async def test_the_front_page_lists_the_committees(client: TestClient) -> None:
    html = await text_of(client, "/")
    page = parse(html)
    assert page.headings[0] == (1, "Udvalgenes dagsordener og referater")
    links = dict((text, href) for href, text in page.links)
    assert links["Beskæftigelsesudvalget"] == "/udvalg/beu"
    assert links["Socialudvalget"] == "/udvalg/sou"
    assert "BEU · 2 offentliggjorte møder" in html and "SOU · 0 offentliggjorte møder" in html
    assert problems(html) == []


async def test_a_committee_lists_its_public_meetings_newest_first_by_year(
    client: TestClient,
) -> None:
    html = await text_of(client, "/udvalg/beu")
    page = parse(html)
    assert [h for h in page.headings] == [(1, "Beskæftigelsesudvalget"), (2, "Møder i 2026")]
    meetings = [(href, text) for href, text in page.links if href.startswith("/udvalg/beu/")]
    assert meetings == [
        (
            "/udvalg/beu/kalender.ics",
            "Abonnér på mødekalenderen for Beskæftigelsesudvalget (iCalendar)",
        ),
        (SECOND, "Møde onsdag 8. april 2026 kl. 15.00"),
        (FIRST, "Møde onsdag 4. marts 2026 kl. 15.00"),
    ]
    assert (f"https://t.me/{BOT_USERNAME}", "Følg Beskæftigelsesudvalget i Telegram") in page.links
    assert "Dagsorden og godkendt referat" in html
    assert "Dagsorden (referatet er ikke godkendt endnu)" in html
    assert "2026-05-06" not in html
    assert problems(html) == []

    empty = await text_of(client, "/udvalg/sou")
    assert "Udvalget har endnu ingen offentliggjorte møder." in empty
    assert problems(empty) == []


async def test_the_meeting_page_is_the_approved_public_protocol(client: TestClient) -> None:
    html = await text_of(client, FIRST)
    for shown in (
        world.OPEN_TITLE,
        world.OPEN_DECISION,
        world.CLOSED_TITLE,
        world.PUBLIC_DECISION,
        world.OPEN_BILAG,
        "Lene Holm (A)",
        "Mødet afsluttet kl. 16.10",
        "Referatet blev godkendt af udvalget 5. marts 2026.",
        "Offentlig udgave",
        MASK_EMAIL,
        MASK_PHONE,
    ):
        assert shown in html, shown
    for hidden in NEVER:
        assert hidden not in html, hidden
    downloads = [text for href, text in parse(html).links if href.startswith(FIRST + "/")]
    assert downloads == [
        "Hent dagsordenen som PDF",
        "Hent dagsordenen som Word-dokument",
        "Hent referatet som PDF",
        "Hent referatet som Word-dokument",
    ]
    assert problems(html) == []


async def test_a_released_agenda_shows_no_decision_before_the_approval(
    client: TestClient,
) -> None:
    html = await text_of(client, SECOND)
    assert world.SECOND_TITLE in html
    assert "Beslutningerne offentliggøres, når udvalget har godkendt referatet." in html
    assert "Taget til efterretning" not in html and ">Beslutning<" not in html
    downloads = [text for href, text in parse(html).links if href.startswith(SECOND + "/")]
    assert downloads == ["Hent dagsordenen som PDF", "Hent dagsordenen som Word-dokument"]
    assert problems(html) == []


@pytest.mark.parametrize(
    "path",
    [
        UNRELEASED,
        f"{UNRELEASED}/dagsorden.docx",
        f"{UNRELEASED}/dagsorden.pdf",
        f"{SECOND}/referat.docx",
        f"{SECOND}/referat.pdf",
        "/udvalg/xyz",
        "/udvalg/xyz/kalender.ics",
        "/udvalg/beu/2026-03-05",
        "/udvalg/beu/2026-03-04-2",
        "/udvalg/beu/2026-02-30",
        "/udvalg/beu/nonsens",
        f"{FIRST}/bilag.docx",
        "/ingenting",
    ],
)
async def test_unknown_and_unreleased_are_a_danish_404(client: TestClient, path: str) -> None:
    html = await text_of(client, path, status=404)
    assert "<h1>Siden findes ikke</h1>" in html and "Traceback" not in html
    assert world.UNRELEASED_TITLE not in html
    assert problems(html) == []


async def test_the_archive_is_read_only_and_says_so_in_danish(client: TestClient) -> None:
    response = await client.post("/", data={"x": "1"})
    assert response.status == 405
    assert "Siderne kan kun læses, ikke ændres." in await response.text()


async def test_a_failing_page_is_a_danish_500_without_a_stack_trace(
    database_url: str, config: ArchiveConfig
) -> None:
    def broken() -> SqlUnitOfWork:
        raise RuntimeError("database on fire")

    app = build_archive(broken, catalogue_texts("da"), config)
    async with TestClient(TestServer(app)) as client:
        html = await text_of(client, "/", status=500)
    assert "Der skete en fejl" in html
    assert "database on fire" not in html and "Traceback" not in html


async def test_the_downloads_are_the_public_documents(client: TestClient) -> None:
    response = await client.get(f"{FIRST}/referat.docx")
    assert response.status == 200
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="Referat BEU 2026-03-04.docx"' in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(await response.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert world.CLOSED_TITLE in text and world.PUBLIC_DECISION in text
    assert world.OPEN_DECISION in text and MASK_EMAIL in text
    assert document.core_properties.subject == "Offentlig udgave"
    for hidden in NEVER:
        assert hidden not in text, hidden

    agenda = docx.Document(io.BytesIO(await (await client.get(f"{SECOND}/dagsorden.docx")).read()))
    assert world.SECOND_TITLE in "\n".join(p.text for p in agenda.paragraphs)

    pdf = await client.get(f"{FIRST}/dagsorden.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert 'filename="Dagsorden BEU 2026-03-04.pdf"' in pdf.headers["Content-Disposition"]
    body = (await pdf.read()).decode()
    assert world.OPEN_TITLE in body and world.OPEN_DECISION not in body  # the agenda


async def test_without_a_pdf_renderer_there_are_word_files_only(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    app = build_archive(lambda: SqlUnitOfWork(factory), catalogue_texts("da"), ArchiveConfig())
    async with TestClient(TestServer(app)) as client:
        html = await text_of(client, FIRST)
        await text_of(client, f"{FIRST}/referat.pdf", status=404)
        committee = await text_of(client, "/udvalg/beu")
    await engine.dispose()
    assert "som PDF" not in html and "Hent referatet som Word-dokument" in html
    assert "t.me" not in committee  # no bot username: no "Følg udvalget" link


async def test_the_calendar_feed_is_valid_icalendar_of_the_public_meetings(
    client: TestClient, seeded_world: world.World
) -> None:
    response = await client.get("/udvalg/beu/kalender.ics")
    assert response.status == 200 and response.content_type == "text/calendar"
    calendar = icalendar.Calendar.from_ical(await response.read())
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["X-WR-CALNAME"]) == (
        "Beskæftigelsesudvalget"
    )
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert [str(e["UID"]) for e in events] == [
        f"moede-{seeded_world.first_id}@udvalgsbot",
        f"moede-{seeded_world.second_id}@udvalgsbot",
    ]
    assert [e.decoded("DTSTART").isoformat() for e in events] == [
        "2026-03-04T15:00:00+01:00",
        "2026-04-08T15:00:00+02:00",
    ]
    host = f"http://{client.host}:{client.port}"
    assert str(events[0]["URL"]) == f"{host}{FIRST}"
    assert str(events[0]["LOCATION"]) == "Rådhuset, mødesal 2"


async def test_the_atom_feed_has_the_approved_protocols(client: TestClient) -> None:
    response = await client.get("/referater.atom")
    assert response.status == 200 and response.content_type == "application/atom+xml"
    body = await response.read()
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "da"
    host = f"http://{client.host}:{client.port}"
    # RFC 4287: a feed has id, title, updated, an author (or every entry has one), a self link.
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{host}/referater.atom", "alternate": f"{host}/"}
    [entry] = feed.findall(f"{ATOM}entry")  # the approved protocol only, not the agenda
    for name in ("id", "title", "updated", "published", "author", "summary"):
        assert entry.find(f"{ATOM}{name}") is not None, name
    assert entry.findtext(f"{ATOM}title") == "Referat: Beskæftigelsesudvalget 04-03-2026"
    assert entry.findtext(f"{ATOM}updated") == "2026-03-05T08:30:00Z"
    assert entry.findtext(f"{ATOM}id") == f"tag:{client.host},2026-03-04:udvalg/beu/2026-03-04"
    entry_links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert entry_links == {"alternate": f"{host}{FIRST}", "enclosure": f"{host}{FIRST}/referat.pdf"}
    summary = entry.findtext(f"{ATOM}summary") or ""
    assert f"Lukket punkt: {world.CLOSED_TITLE}: {world.PUBLIC_DECISION}" in summary
    assert f"{world.OPEN_TITLE}: {world.OPEN_DECISION}" in summary
    for hidden in NEVER:
        assert hidden not in body.decode(), hidden


async def test_the_closed_punkt_is_on_no_page_feed_or_download(client: TestClient) -> None:
    """Every address the archive has for BEU, read as a citizen would."""
    paths = ["/", "/udvalg/beu", "/udvalg/sou", FIRST, SECOND, "/udvalg/beu/kalender.ics"]
    paths += ["/referater.atom", "/tilgaengelighed", "/soeg?q=værkstedspladser", "/soeg?q=unge"]
    texts = [await text_of(client, path) for path in paths]
    for meeting in (FIRST, SECOND):
        for kind in ("dagsorden", "referat") if meeting == FIRST else ("dagsorden",):
            word = await client.get(f"{meeting}/{kind}.docx")
            document = docx.Document(io.BytesIO(await word.read()))
            texts.append("\n".join(p.text for p in document.paragraphs))
            texts.append(" ".join(str(v) for v in vars(document.core_properties).values()))
            texts.append(await (await client.get(f"{meeting}/{kind}.pdf")).text())
    assert len(texts) == 10 + 3 * 3
    for text in texts:
        for hidden in NEVER:
            assert hidden not in text, hidden


async def test_pages_forbid_scripts_and_frames(client: TestClient) -> None:
    response = await client.get(FIRST)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    css = await client.get("/arkiv.css")
    assert css.status == 200 and css.content_type == "text/css"
    assert (await client.get("/dokument.css")).status == 200


async def test_the_archive_mounted_under_a_prefix_links_inside_it(database_url: str) -> None:
    """In the bot's webhook process the archive lives under /arkiv."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    archive = build_archive(
        lambda: SqlUnitOfWork(factory),
        catalogue_texts("da"),
        ArchiveConfig(prefix="/arkiv", base_url="https://dagsordener.kommune.dk/arkiv"),
    )
    root = web.Application()
    root.add_subapp("/arkiv", archive)
    async with TestClient(TestServer(root)) as client:
        html = await text_of(client, "/arkiv/udvalg/beu")
        feed = await text_of(client, "/arkiv/referater.atom")
        await text_of(client, "/arkiv/udvalg/beu/2026-05-06", status=404)
    await engine.dispose()
    hrefs = [href for href, _ in parse(html).links if href.startswith("/")]
    assert hrefs and all(href.startswith("/arkiv/") for href in hrefs), hrefs
    assert "/arkiv/udvalg/beu/2026-03-04" in hrefs
    assert 'href="https://dagsordener.kommune.dk/arkiv/udvalg/beu/2026-03-04"' in feed


async def test_the_search_finds_public_text_and_links_the_meeting(client: TestClient) -> None:
    html = await text_of(client, "/soeg?q=ungeteam")
    page = parse(html)
    assert page.headings[:2] == [
        (1, "Søg i dagsordener og referater"),
        (2, "1 resultat for »ungeteam«"),
    ]
    [link] = [(href, text) for href, text in page.links if href.startswith("/udvalg/")]
    assert link == (f"{FIRST}#punkt-3", world.OPEN_TITLE)
    assert "<mark>ungeteam</mark>" in html
    assert "Beskæftigelsesudvalget · møde 4. marts 2026 · punkt 3" in html
    assert MASK_EMAIL in html and "mette.juhl" not in html
    assert 'value="ungeteam"' in html
    assert problems(html) == []


@pytest.mark.parametrize(
    "query",
    [
        "Havnevej",  # the closed punkt's content
        "Forhandlingsmandat",
        "Vurderingsrapport",  # its bilag
        "mandat borgmesteren",  # its internal decision
        "lukning jobcentret",  # the unreleased meeting
        "mette.juhl@kommune.dk",  # an e-mail address is not searched for
        "12345678",
    ],
)
async def test_the_search_finds_nothing_that_is_not_public(client: TestClient, query: str) -> None:
    html = await text_of(client, f"/soeg?q={query}")
    assert "Ingen resultater" in html or "Skriv et eller flere ord" in html, html
    for hidden in NEVER:
        assert hidden not in html, hidden


async def test_the_search_finds_a_closed_punkt_by_its_title_and_public_decision(
    client: TestClient,
) -> None:
    html = await text_of(client, "/soeg?q=værkstedspladser")
    assert "1 resultat" in html and "lukket punkt (kun titel og offentlig beslutning)" in html
    assert world.CLOSED_SECRET not in html
    decision = await text_of(client, "/soeg?q=handlen gennemført")
    assert "1 resultat" in decision and f"{FIRST}#punkt-4" in decision


async def test_a_search_the_engine_refuses_is_explained_in_danish(client: TestClient) -> None:
    html = await text_of(client, "/soeg?q=XYZ+budget")
    assert "Udvalget XYZ findes ikke." in html
    empty = await text_of(client, "/soeg?q=")
    assert "resultat" not in empty and problems(empty) == []
    assert "Side 1" not in await text_of(client, "/soeg?q=budget&side=abc")
