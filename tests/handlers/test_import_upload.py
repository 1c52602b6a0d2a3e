"""A secretary uploads an agenda or protocol in chat and gets it as a meeting with punkter.

Through the real dispatcher on a real SQLite file: the file is offered for import per udvalg,
downloaded only on the tap, parsed and stored; a bad file gets its Danish message and stores
nothing; documents in a /nysag dialog or from members are not taken for import.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from agendas.documents import parse_text, render_protokol
from agendas.documents.safety import MAX_DOCX_BYTES
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import MEMBER, SECRETARY
from tests.support.pdf import PdfLine, make_pdf
from tests.support.recording import ChatHarness, Sent

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "examples"
    / "referat_sundhed_2025-03-04.txt"
)
TITLES = [
    "Godkendelse af dagsorden",
    "Meddelelser",
    "Status på handleplan mod ensomhed 2025-2026",
    "Ny model for genoptræning efter sygehusophold",
    "Køb af ejendom til midlertidige døgnpladser",
    "Eventuelt",
]
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFFER = "Skal »"


@pytest.fixture
def example() -> bytes:
    if not EXAMPLE.is_file():
        pytest.fail(f"the shared example {EXAMPLE} is missing", pytrace=False)
    return EXAMPLE.read_bytes()


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("noter.txt", "Ikke et Word-dokument")
    return buffer.getvalue()


def messages(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "sendMessage"]


def all_text(calls: list[Sent]) -> str:
    return "\n".join(c.text or "" for c in calls)


def alerts(calls: list[Sent]) -> list[str]:
    return [c.text or "" for c in calls if c.method == "answerCallbackQuery" and c.show_alert]


async def counts(uow_factory: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    """How many meetings and punkter BEU has."""
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        assert udvalg is not None
        moeder = await uow.moeder.for_udvalg(udvalg.id or 0)
        punkter = [p for m in moeder for p in await uow.punkter.for_moede(m.id or 0)]
    return len(moeder), len(punkter)


async def upload(chat: ChatHarness, name: str, content: bytes, mime: str, **kw: int) -> Sent:
    [offer] = await chat.send_document(SECRETARY, name, content, mime_type=mime, **kw)
    return offer


async def test_the_example_text_becomes_a_meeting_with_its_six_punkter(
    beu_committee: ChatHarness,
    example: bytes,
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    chat = beu_committee
    offer = await upload(chat, "referat_sundhed_2025-03-04.txt", example, "text/plain")
    assert "referat_sundhed_2025-03-04.txt" in (offer.text or "")
    assert [text for text, _ in offer.buttons()] == ["📥 Importér som møde i BEU", "Nej tak"]
    # the file waits in the dialog data: the button carries no file id
    assert all("doc-" not in data for _, data in offer.buttons())
    assert await counts(uow_factory) == (0, 0)

    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "Importeret: <b>Beskæftigelsesudvalget (BEU)</b> 04-03-2025 kl. 15.00, 6 punkter" in text
    assert "Mødelokale 2, Egeby Rådhus" in text and "Mødet afsluttet kl. 16.05" in text
    for number, title in enumerate(TITLES, 1):
        assert f"{number}. {title}" in text
    # the example names bilag without files, is from another udvalg: both are told, not dropped
    assert "Bemærk:" in text and "Sundheds- og Omsorgsudvalget" in text
    assert "Nyhedsbrev fra sundhedsplejen" in text
    assert await counts(uow_factory) == (1, 6)
    assert any(c.method == "editMessageReplyMarkup" for c in calls)  # the offer loses its buttons

    # The five members the referat names are not on BEU's roster: offered, nothing added yet.
    *_, summary, offer_members = messages(calls)
    assert "5 medlemmer i dokumentet er ikke på medlemslisten for BEU" in (offer_members.text or "")
    assert "• Mikkel Storm (C)" in (offer_members.text or "")
    agenda = await chat.press(SECRETARY, summary, summary.button("Dagsorden"))
    shown = all_text(agenda)
    assert "Status på handleplan mod ensomhed 2025-2026" in shown and "04-03-2025" in shown

    # Added on the secretary's tap, with their attendance at that meeting (Mikkel left early).
    added = await chat.press(SECRETARY, offer_members, offer_members.button("Tilføj"))
    assert "Tilføjet til medlemslisten for BEU: Lene Holm (A), Per Vinther (V)" in all_text(added)
    [roster] = messages(await chat.send(SECRETARY, "/medlemmer BEU"))
    assert "1. Lene Holm (A), formand, fra 04-03-2025 – ✉️ ikke på Telegram" in (roster.text or "")
    assert "2. Per Vinther (V), næstformand" in (roster.text or "")
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        [moede] = await uow.moeder.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
        records = await uow.attendance.for_moede(moede.id or 0)
        storm = [await uow.persons.get(r.person_id) for r in records]
    assert [
        (p.name if p else "", [x.label() for x in r.absent_for])
        for p, r in zip(storm, records, strict=True)
    ] == [("Mikkel Storm", ["3-5"])]
    again = await chat.press(SECRETARY, offer_members, offer_members.button("Tilføj"))
    assert any("ældre import" in a for a in alerts(again))

    # The same button again: nothing waits any more, so nothing is imported twice.
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    assert any("Send den igen" in a for a in alerts(calls))
    assert await counts(uow_factory) == (1, 6)


async def test_a_rendered_protocol_docx_is_imported_with_its_decisions(
    beu_committee: ChatHarness,
    example: bytes,
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    chat = beu_committee
    content = render_protokol(parse_text(example.decode("utf-8")).document, public=False)
    offer = await upload(chat, "Beslutningsprotokol SOU 2025-03-04.docx", content, DOCX_MIME)
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "6 punkter" in text and "4. Ny model for genoptræning efter sygehusophold ✅" in text
    assert await counts(uow_factory) == (1, 6)


#: A referat as a municipality's PDF export prints it: the udvalg large, punkter in larger bold
#: type, sections bold, a header and "Side N af M" on every page.
REFERAT_PDF = make_pdf(
    [
        [
            PdfLine("Beskæftigelsesudvalget", 20, bold=True),
            PdfLine("Referat", 14, bold=True),
            PdfLine("Mødedato: Tirsdag den 4. marts 2025 kl. 15.00"),
            PdfLine("Mødested: Rådhuset, mødelokale 2"),
            PdfLine("1. Godkendelse af dagsorden", 14, bold=True),
            PdfLine("Beslutning", bold=True),
            PdfLine("Godkendt."),
            PdfLine("2. Ny model for jobrettet indsats for unge", 14, bold=True),
            PdfLine("EMN-2025-003383"),
            PdfLine("Sagens kerne", bold=True),
            PdfLine("Udvalget skal godkende en ny model for den jobrettede indsats."),
        ],
        [
            PdfLine("Indstilling", bold=True),
            PdfLine("Forvaltningen indstiller, at modellen godkendes."),
            PdfLine("Beslutning", bold=True),
            PdfLine("Godkendt."),
            PdfLine("3. Eventuelt", 14, bold=True),
            PdfLine("Beslutning", bold=True),
            PdfLine("Intet."),
            PdfLine("Mødet hævet kl. 16.20"),
        ],
    ],
    header="Beskæftigelsesudvalget – referat 04-03-2025",
)


async def test_a_pdf_referat_becomes_a_meeting(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    offer = await upload(chat, "Referat BEU 2025-03-04.pdf", REFERAT_PDF, "application/pdf")
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "04-03-2025 kl. 15.00, 3 punkter" in text and "Mødet afsluttet kl. 16.20" in text
    assert "2. Ny model for jobrettet indsats for unge ✅" in text
    # Per punkt, what was found: the secretary sees at once where a section is missing.
    assert "<i>Sagens kerne, Indstilling, Beslutning</i>" in text
    assert "Side 1 af 2" not in text  # page furniture is not reported as unplaced text
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        [moede] = await uow.moeder.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
        punkter = await uow.punkter.for_moede(moede.id or 0)
        sag = next(p for p in punkter if p.title.startswith("Ny model"))
        decisions = await uow.decisions.for_punkter([sag.id or 0])
    assert sag.journal_number == "EMN-2025-003383"
    assert sag.section("indstilling") == "Forvaltningen indstiller, at modellen godkendes."
    assert decisions[sag.id or 0].beslutning == "Godkendt."


async def test_a_saved_web_page_becomes_a_meeting(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    """A publication page: the meeting's facts in a table of label and value cells, each
    punkt's number in the cell before its title, the site's buttons around the text."""
    page = """<!DOCTYPE html><html><head><title>Referat</title><script>track()</script></head>
    <body><nav><a href="/">Tilbage til forsiden</a></nav>
    <h1>Referat 4. marts 2025 kl. 15.00</h1>
    <table><tr><td>Udvalg:</td><td>Beskæftigelsesudvalget</td></tr>
    <tr><td>Mødedato:</td><td>tirsdag den 4. marts 2025 kl. 15.00</td></tr>
    <tr><td>Mødested:</td><td>Rådhuset, mødelokale 2</td></tr></table>
    <div>1</div><h2>Godkendelse af dagsorden</h2><h3>Beslutninger</h3><p>Godkendt.</p>
    <ul><li>Hent som PDF</li><li>Kopier link</li></ul>
    <div>2</div><h2>Budgetopfølgning 2025</h2><p>EMN-2025-001234</p>
    <h3>Resumé</h3><p>Forbruget ligger 2 mio. kr. under budgettet.</p>
    <h3>Beslutningspunkter</h3><p>At 1) orienteringen tages til efterretning.</p>
    <h3>Beslutninger</h3><p>Taget til efterretning.</p>
    </body></html>""".encode()
    offer = await upload(chat := beu_committee, "referat.html", page, "text/html")
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "04-03-2025 kl. 15.00, 2 punkter" in text and "Rådhuset, mødelokale 2" in text
    assert "Hent som PDF" not in text and "track()" not in text
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        [moede] = await uow.moeder.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
        punkter = await uow.punkter.for_moede(moede.id or 0)
    sag = next(p for p in punkter if p.title == "Budgetopfølgning 2025")
    assert sag.section("sagens_kerne") == "Forbruget ligger 2 mio. kr. under budgettet."
    assert sag.section("indstilling") == "At 1) orienteringen tages til efterretning."
    assert sag.journal_number == "EMN-2025-001234"


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _rezip(extra: dict[str, bytes] | None = None, doctype: bool = False) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if doctype and info.filename == "word/document.xml":
                head, rest = data.split(b"?>", 1)
                data = head + b'?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + rest
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("dagsorden.docx", b"not a zip at all", "Filen er ikke et Word-dokument (DOCX)."),
        ("dagsorden.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "krypteret"),
        (
            "dagsorden.docx",
            _rezip({"word/media/zeros.bin": b"\0" * (8 * 1024 * 1024)}),
            "pakker sig ud til alt for meget data",
        ),
        ("dagsorden.docx", _rezip(doctype=True), "DOCTYPE/ENTITY"),
        ("dagsorden.docx", _docx_bytes(), "Jeg fandt ingen punkter"),
        ("scan.pdf", make_pdf([[], []]), "PDF'en har ingen tekst – den er vist scannet"),
        ("brev.pdf", make_pdf([[PdfLine("Kære Jens, tak for sidst.")]]), "Jeg fandt ingen punkter"),
        ("noter.txt", "Referat\n04-03-2025\nIntet at bemærke.\n".encode(), "ingen punkter"),
        # A well-formed zip that is no Word document (issue 16): a refusal, not an AttributeError.
        ("dagsorden.docx", _plain_zip(), "kunne ikke læses som et Word-dokument"),
    ],
)
async def test_a_bad_file_gets_its_message_and_stores_nothing(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    name: str,
    content: bytes,
    says: str,
) -> None:
    chat = beu_committee
    mime = {"txt": "text/plain", "pdf": "application/pdf"}.get(name.rsplit(".", 1)[-1], DOCX_MIME)
    offer = await upload(chat, name, content, mime)
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    [answer] = messages(calls)
    assert says in (answer.text or "")
    assert await counts(uow_factory) == (0, 0)


async def test_a_text_file_in_windows_1252_is_read(
    beu_committee: ChatHarness, example: bytes, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    """Issue 16: a .txt saved by an older Windows program is a text file, æøå and all."""
    chat = beu_committee
    offer = await upload(chat, "referat.txt", example.decode().encode("cp1252"), "text/plain")
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "Køb af ejendom til midlertidige døgnpladser" in text
    assert await counts(uow_factory) == (1, 6)


@pytest.mark.parametrize(
    ("name", "mime", "size", "says"),
    [
        ("stor.docx", DOCX_MIME, MAX_DOCX_BYTES + 1, "Filen er for stor (højst 20 MB)"),
        ("budget.xlsx", "application/vnd.ms-excel", None, "Jeg kan importere Word (.docx), PDF"),
    ],
)
async def test_a_file_of_the_wrong_kind_or_size_is_refused_before_downloading(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    name: str,
    mime: str,
    size: int | None,
    says: str,
) -> None:
    chat = beu_committee
    calls = await chat.send_document(SECRETARY, name, b"PK\x03\x04 small", mime, size=size)
    [answer] = messages(calls)
    assert says in (answer.text or "") and answer.buttons() == []
    assert "bilag" in (answer.text or "")  # it may have been meant as a bilag: how to attach
    assert await counts(uow_factory) == (0, 0)


async def test_declining_or_an_outdated_offer_stores_nothing(
    beu_committee: ChatHarness, example: bytes, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    first = await upload(chat, "a.txt", example, "text/plain")
    second = await upload(chat, "b.txt", example, "text/plain")
    calls = await chat.press(SECRETARY, first, first.button("Importér som møde i BEU"))
    assert any("venter ikke længere" in a for a in alerts(calls))
    calls = await chat.press(SECRETARY, second, second.button("Nej tak"))
    assert "ikke importeret" in all_text(messages(calls))
    assert await counts(uow_factory) == (0, 0)


async def test_documents_in_a_sag_dialog_or_from_members_are_not_imported(
    beu_committee: ChatHarness, example: bytes, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 10-12-2026 14:00 Rådhuset")
    assert await counts(uow_factory) == (1, 3)
    await chat.send(SECRETARY, "/nysag Ny ungeindsats")
    [answer] = await chat.send_document(SECRETARY, "a.txt", example, mime_type="text/plain")
    assert "Bilag kan vedhæftes, når sagen er gemt" in (answer.text or "")
    await chat.send(SECRETARY, "/annuller")

    [answer] = await chat.send_document(MEMBER, "a.txt", example, mime_type="text/plain")
    assert OFFER not in (answer.text or "") and answer.buttons() == []
    assert await counts(uow_factory) == (1, 3)


async def test_the_same_file_again_offers_to_update_the_meeting(
    beu_committee: ChatHarness, example: bytes, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    offer = await upload(chat, "referat.txt", example, "text/plain")
    await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    assert await counts(uow_factory) == (1, 6)

    corrected = example.replace(b"Anbefales.", b"Anbefales med en rettelse.")
    offer = await upload(chat, "referat rettet.txt", corrected, "text/plain")
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    asked = messages(calls)[-1]
    assert "Udvalget har allerede mødet 04-03-2025" in (asked.text or "")
    assert "Ændret i dokumentet: Ny model for genoptræning" in (asked.text or "")
    assert await counts(uow_factory) == (1, 6)  # nothing stored yet

    calls = await chat.press(SECRETARY, asked, asked.button("Opdatér mødet"))
    assert "6 punkter" in all_text(messages(calls))
    assert await counts(uow_factory) == (1, 6)
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        [moede] = await uow.moeder.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
        punkter = await uow.punkter.for_moede(moede.id or 0)
        decided = await uow.decisions.for_punkter([p.id or 0 for p in punkter])
    assert "Anbefales med en rettelse." in {d.beslutning for d in decided.values()}


async def test_a_referat_without_a_time_is_imported_without_one_and_unplaced_lines_are_numbered(
    beu_committee: ChatHarness, example: bytes, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    """Issue 13: no invented "kl. 00.00", and each unplaced line says where it stands."""
    chat = beu_committee
    lines = example.decode().splitlines()
    lines[2] = "Sted: Mødelokale 2, Egeby Rådhus"
    lines.insert(15, "En linje uden sted i dokumentet")
    offer = await upload(chat, "uden-tid.txt", "\n".join(lines).encode(), "text/plain")
    calls = await chat.press(SECRETARY, offer, offer.button("Importér som møde i BEU"))
    text = all_text(messages(calls))
    assert "Importeret: <b>Beskæftigelsesudvalget (BEU)</b> 04-03-2025, 6 punkter" in text
    assert "00.00" not in text
    assert "1 linje kunne ikke placeres. Tjek den" in text
    assert "• linje 16: En linje uden sted i dokumentet" in text
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        [moede] = await uow.moeder.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
    assert moede.start_time is None and moede.place == "Mødelokale 2, Egeby Rådhus"

    summary = next(m for m in messages(calls) if m.buttons() and "Importeret" in (m.text or ""))
    shown = all_text(await chat.press(SECRETARY, summary, summary.button("Dagsorden")))
    assert "Møde 04-03-2025\nSted: Mødelokale 2, Egeby Rådhus" in shown
    assert "kl." not in shown.split("Sted:")[0]
