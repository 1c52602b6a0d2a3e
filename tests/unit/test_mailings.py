"""What members and the group receive on release: per punkt the summary, under 4096 characters,
closed punkter only for those allowed to read them."""

from __future__ import annotations

from datetime import date, time

from agendas.chatviews import TELEGRAM_LIMIT
from agendas.mailings import (
    CAPTION_LIMIT,
    OutDocument,
    OutMessage,
    changed_notice,
    group_summary,
    member_summary,
    visible_length,
    with_calendar,
)
from agendas.model import Bilag, Moede, Punkt, PunktKind, Sagstype, Udvalg
from agendas.rules import ordered
from agendas.services.meetings import Agenda

SECRET = "Fortrolige oplysninger om den konkrete borger"


def t(key: str, /, **params: object) -> str:
    return f"[{key}]" + " ".join(f"{k}={v}" for k, v in sorted(params.items()))


def _agenda(sager: int = 3, long: bool = False) -> Agenda:
    udvalg = Udvalg("BEU", "Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen", id=1)
    moede = Moede(1, date(2027, 3, 30), time(14, 0), "Rådhuset", id=7)
    punkter = [
        Punkt(7, PunktKind.GODKENDELSE, "Godkendelse af dagsorden", position=0, id=1),
        Punkt(7, PunktKind.MEDDELELSER, "Meddelelser", position=1, id=2),
        Punkt(7, PunktKind.EVENTUELT, "Eventuelt", position=9, id=3),
    ]
    body = ("Lang tekst om beskæftigelse & <unge> " * 400) if long else "Kort kerne."
    for n in range(sager):
        punkter.append(
            Punkt(
                7,
                PunktKind.SAG,
                f"Sag {n} om jobcentret",
                position=n,
                sagstype=Sagstype.BESLUTNING,
                beslutningskompetence="BEU",
                sections={
                    "sagens_kerne": body,
                    "indstilling": "Forvaltningen indstiller, at sagen godkendes.",
                    "sagsfremstilling": "Kun i det fulde punkt.",
                },
                version=2,
                id=10 + n,
            )
        )
    punkter.append(
        Punkt(
            7,
            PunktKind.SAG,
            "Personsag",
            position=99,
            closed=True,
            sections={"sagens_kerne": SECRET, "indstilling": "Indstilles godkendt."},
            beslutningskompetence="BEU",
            id=99,
        )
    )
    bilag = {10: [Bilag(10, "Bilag 1 budget.pdf", 2048, "x" * 64, "application/pdf", id=5)]}
    return Agenda(moede, udvalg, ordered(punkter), bilag)


def _text(messages: list) -> str:  # type: ignore[type-arg]
    return "\n".join(m.text for m in messages)


def test_member_gets_number_title_kerne_indstilling_kompetence() -> None:
    messages = member_summary(_agenda(), t, may_read_closed=True)
    text = _text(messages)
    assert "<b>3. Sag 0 om jobcentret</b>" in text
    assert "Beslutningskompetence: BEU" in text
    assert "Sagens kerne" in text and "Kort kerne." in text
    assert "Indstilling" in text and "indstiller, at sagen godkendes" in text
    assert "Kun i det fulde punkt." not in text  # the summary, not the whole punkt
    assert SECRET in text  # members read closed punkter
    buttons = [b for m in messages for row in m.buttons for b in row]
    assert ("punkt", 10, 2) in {(b.target, b.id, b.version) for b in buttons}
    assert ("bilag", 5) in {(b.target, b.id) for b in buttons}
    assert ("punkt", 99) in {(b.target, b.id) for b in buttons}


def test_closed_punkt_hidden_from_those_not_allowed() -> None:
    messages = member_summary(_agenda(), t, may_read_closed=False)
    text = _text(messages)
    assert SECRET not in text
    assert "Personsag" in text  # the title is public, as on the public agenda
    assert "[release-closed-hidden]" in text
    assert 99 not in {b.id for m in messages for row in m.buttons for b in row}


def test_group_gets_open_punkter_only_and_no_buttons() -> None:
    messages = group_summary(_agenda(), t)
    text = _text(messages)
    assert "Personsag" not in text and SECRET not in text
    assert "Sag 0 om jobcentret" in text
    assert all(not m.buttons for m in messages)


def test_long_agendas_split_under_the_telegram_limit_in_order() -> None:
    agenda = _agenda(sager=25, long=True)
    for messages in (
        member_summary(agenda, t, True),
        member_summary(agenda, t, False),
        group_summary(agenda, t),
    ):
        assert len(messages) > 1
        assert all(len(m.text) <= TELEGRAM_LIMIT for m in messages)
        assert all(sum(len(r) for r in m.buttons) <= 100 for m in messages)
        assert messages[0].text.endswith(f"(1/{len(messages)})</i>")
    text = _text(member_summary(agenda, t, True))
    positions = [text.index(f"Sag {n} om jobcentret") for n in range(25)]
    assert positions == sorted(positions)
    assert "&amp; &lt;unge&gt;" in text  # user text is escaped


def test_changed_notice_points_to_the_punkt() -> None:
    agenda = _agenda()
    punkt = next(p for p in agenda.punkter if p.id == 10)
    notice = changed_notice(agenda.udvalg, agenda.moede, punkt, t, may_read_closed=True)
    assert "[release-changed]" in notice.text and "number=3" in notice.text
    assert [(b.target, b.id, b.version) for row in notice.buttons for b in row] == [
        ("punkt", 10, 2)
    ]
    closed = next(p for p in agenda.punkter if p.id == 99)
    hidden = changed_notice(agenda.udvalg, agenda.moede, closed, t, may_read_closed=False)
    assert not hidden.buttons and SECRET not in hidden.text


def test_caption_length_counts_what_telegram_counts() -> None:
    # Tags are not counted, entities count once, an emoji (outside the BMP) counts two.
    assert visible_length("<b>Møde</b> &amp; <i>dagsorden</i>") == len("Møde & dagsorden")
    assert visible_length("📅 ok") == 5


def test_a_short_summary_rides_on_the_calendar_file_with_its_buttons() -> None:
    pages = member_summary(_agenda(sager=1), t, may_read_closed=True)
    calendar = OutDocument("BEU-2027-03-30.ics", "BEGIN:VCALENDAR", "Gem aftalen.")
    [document] = with_calendar(pages, calendar)
    assert isinstance(document, OutDocument)
    assert document.caption == pages[0].text + "\n\nGem aftalen."
    assert document.buttons == pages[0].buttons and document.buttons
    assert document.content == "BEGIN:VCALENDAR"


def test_a_long_last_page_stays_a_message_and_the_file_follows() -> None:
    pages = [OutMessage("a" * 3000), OutMessage("b" * 2000)]
    calendar = OutDocument("BEU-2027-03-30.ics", "BEGIN:VCALENDAR", "Gem aftalen.")
    assert with_calendar(pages, calendar) == [*pages, calendar]


def test_a_short_last_page_of_several_rides_on_the_file() -> None:
    pages = member_summary(_agenda(sager=4, long=True), t, may_read_closed=True)
    assert len(pages) > 1 and visible_length(pages[-1].text) <= CAPTION_LIMIT
    calendar = OutDocument("BEU-2027-03-30.ics", "BEGIN:VCALENDAR", "Gem aftalen.")
    items = with_calendar(pages, calendar)
    assert items[:-1] == pages[:-1]
    last = items[-1]
    assert isinstance(last, OutDocument) and last.caption.startswith(pages[-1].text)


def test_the_hint_is_left_out_when_it_would_overflow_the_caption() -> None:
    page = OutMessage("x" * (CAPTION_LIMIT - 3))
    calendar = OutDocument("a.ics", "BEGIN:VCALENDAR", "Gem aftalen i kalenderen.")
    [document] = with_calendar([page], calendar)
    assert isinstance(document, OutDocument) and document.caption == page.text


def test_the_summary_ends_with_the_public_page_when_there_is_one() -> None:
    url = "https://dagsordener.egeby.dk/arkiv/udvalg/beu/2026-12-10?a=1&b=2"
    link = (
        '🌐 <a href="https://dagsordener.egeby.dk/arkiv/udvalg/beu/2026-12-10?a=1&amp;b=2">'
        "[release-public-link]</a>"
    )
    for pages in (
        member_summary(_agenda(), t, True, public_url=url),
        member_summary(_agenda(), t, False, public_url=url),
        group_summary(_agenda(), t, public_url=url),
    ):
        assert pages[-1].text.endswith(link)
        assert sum(p.text.count("🌐") for p in pages) == 1
    assert "🌐" not in member_summary(_agenda(), t, True)[-1].text
