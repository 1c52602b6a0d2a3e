"""/nytmoede (the command and the step-by-step dialog) and /moeder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agendas.model import PunktKind
from handlers.callbacks import MoedeCb, NytMoedeCb
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import (
    ADMIN,
    MEMBER,
    OUTSIDER,
    SECRETARY,
    TOVHOLDER,
    invite_token,
)
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser

UowFactory = Callable[[], SqlUnitOfWork]
Stored = tuple[str, date, time, str]

NOT_SECRETARY = "Kun udvalgets sekretær kan gøre det."
FREE_TEXT = "Jeg forstår kun kommandoer og knapper. Skriv /hjaelp for at se, hvad du kan."
ASK_DATE = (
    "Hvilken dato skal BEU holde møde? Skriv fx 12-01-2027 eller 12. januar 2027. "
    "(/annuller afbryder.)"
)
ASK_TIME = "Hvornår starter mødet den 12-01-2027? Skriv fx 14:00 eller kl. 14."
ASK_PLACE = "Hvor holdes mødet? Skriv stedet, fx Rådhuset, mødelokale 2, eller tryk »Spring over«."
DATE_PAST = "Mødet ligger i fortiden. Vælg en dato og et tidspunkt frem i tiden."
STANDARD = (
    "Dagsordenen har fået standardpunkterne:\n"
    "1. Godkendelse af dagsorden\n"
    "2. Meddelelser\n"
    "3. Eventuelt\n\n"
    "Tilføj sager med knappen nedenfor eller med /nysag."
)


async def stored_moeder(uow_factory: UowFactory) -> list[Stored]:
    """(udvalg code, date, time, place) of every meeting in the database."""
    uow = uow_factory()
    async with uow:
        result = []
        for udvalg in await uow.udvalg.list_all():
            for m in await uow.moeder.for_udvalg(udvalg.id or 0):
                result.append((udvalg.code, m.date, m.start_time, m.place))
    return sorted(result)


async def punkt_kinds(uow_factory: UowFactory) -> list[list[PunktKind]]:
    uow = uow_factory()
    async with uow:
        result = []
        for udvalg in await uow.udvalg.list_all():
            for m in await uow.moeder.for_udvalg(udvalg.id or 0):
                punkter = sorted(await uow.punkter.for_moede(m.id or 0), key=lambda p: p.position)
                result.append([p.kind for p in punkter])
    return result


def only(calls: list[Sent]) -> Sent:
    sent = [c for c in calls if c.text is not None]
    assert len(sent) == 1, [c.text for c in sent]
    return sent[0]


async def make_sou_with_secretary(chat: ChatHarness) -> None:
    """A second udvalg, SOU, where SECRETARY is also sekretær."""
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærdsforvaltningen")
    link = only(await chat.send(ADMIN, "/inviter SOU sekretaer"))
    await chat.send(SECRETARY, f"/start {invite_token(link.text or '')}")


# -- the command with everything given --------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        "12-01-2027 14:00",
        "12.01.2027 14.00",
        "12/1 2027 kl. 14",
        "2027-01-12 kl. 14.00",
        "12. januar 2027 14:00",
        "12 jan 2027 kl.14",
    ],
)
async def test_create_meeting_in_one_command(
    beu_committee: ChatHarness, uow_factory: UowFactory, when: str
) -> None:
    chat = beu_committee

    reply = only(await chat.send(SECRETARY, f"/nytmoede BEU {when} Rådhuset, mødelokale 2"))

    assert reply.text == (
        "Mødet er oprettet: Beskæftigelsesudvalget (BEU) 12-01-2027 kl. 14.00.\n"
        "Sted: Rådhuset, mødelokale 2\n\n" + STANDARD
    )
    assert await stored_moeder(uow_factory) == [
        ("BEU", date(2027, 1, 12), time(14, 0), "Rådhuset, mødelokale 2")
    ]
    assert await punkt_kinds(uow_factory) == [
        [PunktKind.GODKENDELSE, PunktKind.MEDDELELSER, PunktKind.EVENTUELT]
    ]
    moede_id = int(reply.button("Se dagsorden").split(":")[-1])
    assert reply.buttons() == [
        ("Se dagsorden", MoedeCb(action="agenda", moede_id=moede_id).pack()),
        ("Tilføj sag", MoedeCb(action="nysag", moede_id=moede_id).pack()),
    ]
    # Nothing left of a dialog.
    assert chat.texts(await chat.send(SECRETARY, "Rådhuset")) == [FREE_TEXT]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("i morgen 14:00", "offset:1"),
        ("i overmorgen kl. 9", "offset:2"),
        ("torsdag 14.00", "weekday:3"),
        ("på torsdag kl. 14", "weekday:3"),
    ],
)
async def test_a_meeting_can_be_created_for_tomorrow_or_a_weekday(
    beu_committee: ChatHarness,
    uow_factory: UowFactory,
    clock: FrozenClock,
    when: str,
    expected: str,
) -> None:
    """Issue 16: "/nytmoede BEU i morgen" and weekday names, the way a secretary says it."""
    today = clock().astimezone(ZoneInfo("Europe/Copenhagen")).date()
    kind, _, number = expected.partition(":")
    if kind == "offset":
        day = today + timedelta(days=int(number))
    else:
        day = today + timedelta(days=(int(number) - today.weekday()) % 7 or 7)
    reply = only(await beu_committee.send(SECRETARY, f"/nytmoede BEU {when} Rådhuset"))
    assert f"(BEU) {day:%d-%m-%Y} kl." in (reply.text or "")
    [(code, stored_day, _, place)] = await stored_moeder(uow_factory)
    assert (code, stored_day, place) == ("BEU", day, "Rådhuset")


async def test_place_is_optional_in_the_command(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    reply = only(await beu_committee.send(SECRETARY, "/nytmoede beu 12-01-2027 14:00"))

    assert reply.text is not None
    assert "Sted: ikke angivet" in reply.text
    assert await stored_moeder(uow_factory) == [("BEU", date(2027, 1, 12), time(14, 0), "")]


async def test_admin_may_create_a_meeting(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    await beu_committee.send(ADMIN, "/nytmoede BEU 12-01-2027 14:00")

    assert len(await stored_moeder(uow_factory)) == 1


@pytest.mark.parametrize("user", [MEMBER, TOVHOLDER, OUTSIDER])
@pytest.mark.parametrize("args", ["BEU 12-01-2027 14:00 Rådhuset", "BEU", ""])
async def test_only_the_secretary_may_create_meetings(
    beu_committee: ChatHarness, uow_factory: UowFactory, user: TgUser, args: str
) -> None:
    chat = beu_committee

    assert only(await chat.send(user, f"/nytmoede {args}".strip())).text == NOT_SECRETARY
    # No dialog was started.
    assert chat.texts(await chat.send(user, "12-01-2027")) == [FREE_TEXT]
    assert await stored_moeder(uow_factory) == []


async def test_secretary_of_another_udvalg_is_refused(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")

    assert only(await chat.send(SECRETARY, "/nytmoede SOU 12-01-2027 14:00")).text == (
        NOT_SECRETARY
    )
    assert await stored_moeder(uow_factory) == []


async def test_unknown_udvalg(beu_committee: ChatHarness, uow_factory: UowFactory) -> None:
    reply = only(await beu_committee.send(SECRETARY, "/nytmoede XYZ 12-01-2027 14:00"))

    assert reply.text == "Jeg kender ikke udvalget XYZ. Tjek koden, fx BEU."
    assert await stored_moeder(uow_factory) == []


async def test_past_date_in_the_command_is_refused_and_asked_again(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee

    reply = only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2026 14:00 Rådhuset"))

    assert reply.text == f"{DATE_PAST}\n\n{ASK_DATE}"
    assert await stored_moeder(uow_factory) == []
    # The dialog goes on step by step from the date.
    assert only(await chat.send(SECRETARY, "12-01-2027")).text == ASK_TIME


async def test_a_mistyped_year_far_ahead_is_refused_and_asked_again(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee  # it is 23-11-2026

    reply = only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2028 14:00 Rådhuset"))

    assert reply.text == (
        "Den 12-01-2028 ligger mere end 400 dage ude i fremtiden, så mødet ville ikke stå i "
        f"nogen liste. Tjek årstallet.\n\n{ASK_DATE}"
    )
    assert await stored_moeder(uow_factory) == []
    # Typed in the dialog, the date is refused before the time is asked.
    assert only(await chat.send(SECRETARY, "12-01-2028")).text.startswith("Den 12-01-2028 ligger")
    assert only(await chat.send(SECRETARY, "12-01-2027")).text == ASK_TIME


async def test_earlier_today_is_refused_but_later_today_is_fine(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee  # it is 23-11-2026 10.00 in Copenhagen

    reply = only(await chat.send(SECRETARY, "/nytmoede BEU 23-11-2026 09:30"))
    assert reply.text == (
        f"{DATE_PAST}\n\nHvornår starter mødet den 23-11-2026? Skriv fx 14:00 eller kl. 14."
    )
    # Exactly now is not in the future either.
    assert only(await chat.send(SECRETARY, "10:00")).text == (
        f"{DATE_PAST}\n\nHvornår starter mødet den 23-11-2026? Skriv fx 14:00 eller kl. 14."
    )
    assert await stored_moeder(uow_factory) == []

    await chat.send(SECRETARY, "kl. 13")
    await chat.send(SECRETARY, "Rådhuset")
    assert await stored_moeder(uow_factory) == [
        ("BEU", date(2026, 11, 23), time(13, 0), "Rådhuset")
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "forleden 14:00",
            "Datoen »forleden« forstod jeg ikke. Skriv fx 12-01-2027, 12.01.2027 eller 12. "
            "januar 2027.",
        ),
        ("31-02-2027 14:00", "Datoen »31-02-2027« findes ikke i kalenderen. Tjek dag og måned."),
    ],
)
async def test_malformed_date_in_the_command_is_explained_and_asked_again(
    beu_committee: ChatHarness, uow_factory: UowFactory, args: str, expected: str
) -> None:
    reply = only(await beu_committee.send(SECRETARY, f"/nytmoede BEU {args}"))

    assert reply.text == f"{expected}\n\n{ASK_DATE}"
    assert await stored_moeder(uow_factory) == []


async def test_malformed_time_in_the_command_keeps_the_date_and_place(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee

    reply = only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 25:00 Rådhuset"))

    assert reply.text == (
        "Tidspunktet »25:00« forstod jeg ikke. Skriv fx 14:00, 14.00 eller kl. 14.\n\n" + ASK_TIME
    )
    created = only(await chat.send(SECRETARY, "14:00"))
    assert created.text is not None and created.text.startswith("Mødet er oprettet")
    assert await stored_moeder(uow_factory) == [("BEU", date(2027, 1, 12), time(14, 0), "Rådhuset")]


async def test_date_without_time_asks_for_the_time_and_keeps_the_place(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee

    assert only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 Rådhuset")).text == ASK_TIME
    await chat.send(SECRETARY, "14.30")

    assert await stored_moeder(uow_factory) == [
        ("BEU", date(2027, 1, 12), time(14, 30), "Rådhuset")
    ]


async def test_too_long_place_in_the_command_is_asked_again(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee

    reply = only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00 " + "x" * 201))

    assert reply.text == f"Stedet er for langt (højst 200 tegn).\n\n{ASK_PLACE}"
    assert await stored_moeder(uow_factory) == []
    await chat.send(SECRETARY, "Rådhuset")
    assert await stored_moeder(uow_factory) == [("BEU", date(2027, 1, 12), time(14, 0), "Rådhuset")]


# -- the dialog ------------------------------------------------------------------------------


async def test_step_by_step_with_bad_answers_on_the_way(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee

    assert only(await chat.send(SECRETARY, "/nytmoede")).text == ASK_DATE
    assert only(await chat.send(SECRETARY, "snart")).text == (
        "Datoen »snart« forstod jeg ikke. Skriv fx 12-01-2027, 12.01.2027 eller "
        f"12. januar 2027.\n\n{ASK_DATE}"
    )
    assert only(await chat.send(SECRETARY, "01-11-2026")).text == f"{DATE_PAST}\n\n{ASK_DATE}"
    assert only(await chat.send(SECRETARY, "12. januar 2027")).text == ASK_TIME
    assert only(await chat.send(SECRETARY, "om eftermiddagen")).text == (
        "Tidspunktet »om eftermiddagen« forstod jeg ikke. Skriv fx 14:00, 14.00 eller kl. 14."
        f"\n\n{ASK_TIME}"
    )
    ask_place = only(await chat.send(SECRETARY, "kl. 14"))
    assert ask_place.text == ASK_PLACE
    assert ask_place.button("Spring over") == NytMoedeCb(action="skip").pack()
    assert await stored_moeder(uow_factory) == []

    assert only(await chat.send(SECRETARY, "y" * 201)).text == (
        f"Stedet er for langt (højst 200 tegn).\n\n{ASK_PLACE}"
    )
    created = only(await chat.send(SECRETARY, "Jobcentret, lokale 3"))

    assert created.text == (
        "Mødet er oprettet: Beskæftigelsesudvalget (BEU) 12-01-2027 kl. 14.00.\n"
        "Sted: Jobcentret, lokale 3\n\n" + STANDARD
    )
    assert await stored_moeder(uow_factory) == [
        ("BEU", date(2027, 1, 12), time(14, 0), "Jobcentret, lokale 3")
    ]


async def test_skip_the_place_with_the_button(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU")
    await chat.send(SECRETARY, "12-01-2027")
    ask_place = only(await chat.send(SECRETARY, "14:00"))

    calls = await chat.press(SECRETARY, ask_place, ask_place.button("Spring over"))

    created = only(calls)
    assert created.text is not None and "Sted: ikke angivet" in created.text
    assert created.button("Tilføj sag").startswith("m:nysag:")
    assert await stored_moeder(uow_factory) == [("BEU", date(2027, 1, 12), time(14, 0), "")]
    # The old skip button is gone from the question, and pressing it again is stale.
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    [alert] = await chat.press(SECRETARY, ask_place, ask_place.button("Spring over"))
    assert alert.text == "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."
    assert len(await stored_moeder(uow_factory)) == 1


async def test_secretary_of_several_udvalg_picks_one_with_buttons(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await make_sou_with_secretary(chat)

    ask = only(await chat.send(SECRETARY, "/nytmoede"))
    assert ask.text == "Hvilket udvalg skal mødet holdes i?"
    assert ask.buttons() == [
        ("BEU – Beskæftigelsesudvalget", NytMoedeCb(action="udvalg", code="BEU").pack()),
        ("SOU – Socialudvalget", NytMoedeCb(action="udvalg", code="SOU").pack()),
    ]

    asked = only(await chat.press(SECRETARY, ask, ask.button("SOU")))
    assert asked.text is not None and asked.text.startswith("Hvilken dato skal SOU holde møde?")
    await chat.send(SECRETARY, "12-01-2027")
    await chat.send(SECRETARY, "14:00")
    await chat.send(SECRETARY, "Rådhuset")

    assert await stored_moeder(uow_factory) == [("SOU", date(2027, 1, 12), time(14, 0), "Rådhuset")]


async def test_udvalg_button_pressed_by_someone_else_or_later_is_refused(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await make_sou_with_secretary(chat)
    ask = only(await chat.send(SECRETARY, "/nytmoede"))

    # A member has no /nytmoede dialog: the button is stale for them.
    [alert] = await chat.press(MEMBER, ask, ask.button("BEU"))
    assert alert.text == "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."
    # After /annuller the secretary's own button is stale too.
    await chat.send(SECRETARY, "/annuller")
    [alert] = await chat.press(SECRETARY, ask, ask.button("BEU"))
    assert alert.text == "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."
    assert await stored_moeder(uow_factory) == []


async def test_commands_typed_mid_dialog_still_work_and_the_dialog_continues(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027")

    moeder = only(await chat.send(SECRETARY, "/moeder"))
    assert moeder.text == "Der er ingen kommende eller nylige møder i dine udvalg."
    help_text = only(await chat.send(SECRETARY, "/hjaelp"))
    assert help_text.text is not None and "/nytmoede KODE dato tid" in help_text.text

    assert only(await chat.send(SECRETARY, "14:00")).text == ASK_PLACE
    await chat.send(SECRETARY, "Rådhuset")
    assert len(await stored_moeder(uow_factory)) == 1


async def test_cancel_mid_dialog_stores_nothing(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00 x")  # created: one meeting
    await chat.send(SECRETARY, "/nytmoede BEU 13-01-2027")
    await chat.send(SECRETARY, "14:00")

    assert only(await chat.send(SECRETARY, "/annuller")).text == (
        "Annulleret. Intet fra dialogen er gemt."
    )
    assert chat.texts(await chat.send(SECRETARY, "Rådhuset")) == [FREE_TEXT]
    assert await stored_moeder(uow_factory) == [("BEU", date(2027, 1, 12), time(14, 0), "x")]


async def test_a_document_in_the_dialog_gets_a_clear_answer(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU")

    reply = only(await chat.send_document(SECRETARY, "dagsorden.pdf", b"%PDF-1.4"))

    # Some other feature (bilag) or the fallback answers; the date step is not consumed.
    assert reply.text and reply.text not in (ASK_DATE, ASK_TIME)
    assert only(await chat.send(SECRETARY, "12-01-2027")).text == ASK_TIME
    assert await stored_moeder(uow_factory) == []


async def test_half_finished_dialog_continues_after_a_restart(
    beu_committee: ChatHarness,
    restart: Callable[[], ChatHarness],
    uow_factory: UowFactory,
) -> None:
    await make_sou_with_secretary(beu_committee)
    ask = only(await beu_committee.send(SECRETARY, "/nytmoede"))
    await beu_committee.press(SECRETARY, ask, ask.button("SOU"))
    await beu_committee.send(SECRETARY, "12-01-2027")

    # A new bot process on the same database: nothing of the old one is reused.
    again = restart()
    assert only(await again.send(SECRETARY, "14:00")).text == ASK_PLACE
    third = restart()
    created = only(await third.send(SECRETARY, "Rådhuset"))

    assert created.text is not None
    assert created.text.startswith("Mødet er oprettet: Socialudvalget (SOU) 12-01-2027 kl. 14.00.")
    assert await stored_moeder(uow_factory) == [("SOU", date(2027, 1, 12), time(14, 0), "Rådhuset")]


# -- /moeder ---------------------------------------------------------------------------------


async def test_moeder_lists_coming_and_recent_meetings_of_my_udvalg(
    beu_committee: ChatHarness, clock: FrozenClock
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 25-11-2026 14:00 Rådhuset")
    await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 kl. 9 Jobcentret")
    await chat.send(SECRETARY, "/nytmoede BEU 2027-02-09 14.30")
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")
    await chat.send(ADMIN, "/nytmoede SOU 10-01-2027 10:00 Andet sted")
    clock.current = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    for user in (MEMBER, TOVHOLDER, SECRETARY):
        reply = only(await chat.send(user, "/moeder"))
        assert reply.text == (
            "<b>Kommende møder</b>\n"
            "BEU 12-01-2027 kl. 09.00, Jobcentret\n"
            "BEU 09-02-2027 kl. 14.30\n\n"
            "<b>Seneste møder</b>\n"
            "BEU 25-11-2026 kl. 14.00, Rådhuset"
        )
        labels = [label for label, _ in reply.buttons()]
        assert labels == ["BEU 12-01-2027", "BEU 09-02-2027", "BEU 25-11-2026"]
        for _, data in reply.buttons():
            assert MoedeCb.unpack(data).action == "agenda"

    # The admin sees every udvalg.
    admin_view = only(await chat.send(ADMIN, "/moeder"))
    assert admin_view.text is not None and "SOU 10-01-2027 kl. 10.00, Andet sted" in admin_view.text


async def test_moeder_buttons_point_at_the_meetings(
    beu_committee: ChatHarness,
) -> None:
    chat = beu_committee
    created = only(await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00"))

    reply = only(await chat.send(MEMBER, "/moeder"))

    assert reply.button("BEU 12-01-2027") == created.button("Se dagsorden")


async def test_moeder_cuts_long_places_in_the_list(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00 " + "Rådhuset " * 15)

    reply = only(await chat.send(MEMBER, "/moeder"))

    assert reply.text is not None
    line = reply.text.splitlines()[1]
    assert line.endswith("…") and len(line) < 100


async def test_moeder_for_someone_in_no_udvalg(chat: ChatHarness) -> None:
    reply = only(await chat.send(OUTSIDER, "/moeder"))

    assert reply.text == (
        "Du er ikke med i noget udvalg endnu. "
        "Du kommer med via et invitationslink fra udvalgets sekretær."
    )
    assert reply.buttons() == []


async def test_moeder_hides_other_udvalg_and_says_when_there_are_none(
    beu_committee: ChatHarness,
) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")
    await chat.send(ADMIN, "/nytmoede SOU 10-01-2027 10:00")

    reply = only(await chat.send(MEMBER, "/moeder"))

    assert reply.text == "Der er ingen kommende eller nylige møder i dine udvalg."


async def test_moeder_leaves_out_meetings_long_past(
    beu_committee: ChatHarness, clock: FrozenClock
) -> None:
    chat = beu_committee
    await chat.send(SECRETARY, "/nytmoede BEU 25-11-2026 14:00")
    clock.advance(timedelta(days=90))

    reply = only(await chat.send(MEMBER, "/moeder"))

    assert reply.text == "Der er ingen kommende eller nylige møder i dine udvalg."


async def test_meeting_mode_with_the_next_meeting_weeks_away_says_when_it_is(
    beu_committee: ChatHarness, clock: FrozenClock
) -> None:
    """Issue 16: /moede 47 days before the meeting said there was none and to create one."""
    today = clock().astimezone(ZoneInfo("Europe/Copenhagen")).date()
    day = today + timedelta(days=47)
    await beu_committee.send(SECRETARY, f"/nytmoede BEU {day:%d-%m-%Y} 14:00 Rådhuset")
    reply = only(await beu_committee.send(SECRETARY, "/moede"))
    assert reply.text == (
        f"Der er intet møde omkring i dag i dine udvalg. Næste møde er BEU {day:%d-%m-%Y} kl. "
        "14.00, om 47 dage. Skriv /moede igen tættere på mødet."
    )
    assert "/nytmoede" not in (reply.text or "")


async def test_dagsorden_with_an_udvalg_code_shows_that_udvalgs_agenda_or_refuses(
    beu_committee: ChatHarness,
) -> None:
    """Issue 16: "/dagsorden BEU" from a secretary of another udvalg answered about their own."""
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")
    await chat.send(ADMIN, "/nytmoede SOU 14-01-2027 10:00 Rådhuset")
    await chat.send(SECRETARY, "/nytmoede BEU 12-01-2027 14:00 Rådhuset")

    beu = only(await chat.send(SECRETARY, "/dagsorden beu"))
    assert "Beskæftigelsesudvalget" in (beu.text or "") and "12-01-2027" in (beu.text or "")
    refused = only(await chat.send(SECRETARY, "/dagsorden SOU"))
    assert refused.text == "Du er ikke med i det udvalg. Bed sekretæren om et invitationslink."
    unknown = only(await chat.send(SECRETARY, "/dagsorden XYZ"))
    assert (unknown.text or "").startswith("Skriv /dagsorden") and "/dagsorden BEU" in (
        unknown.text or ""
    )
    admin = only(await chat.send(ADMIN, "/dagsorden SOU"))
    assert "Socialudvalget" in (admin.text or "") and "14-01-2027" in (admin.text or "")
