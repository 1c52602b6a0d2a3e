"""/inviter and accepting an invite through /start <token>: the whole life of an invite link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text

from agendas.model import Role
from handlers.callbacks import InviteCb
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

NOT_SECRETARY = "Kun udvalgets sekretær kan gøre det."
LINK_PREFIX = "https://t.me/udvalgsbot_test_bot?start="


async def count_invites(uow_factory: UowFactory) -> int:
    uow = uow_factory()
    async with uow:
        return int((await uow.session.execute(text("select count(*) from invite"))).scalar_one())


async def roles_of(uow_factory: UowFactory, user: TgUser) -> dict[str, list[tuple[str, str]]]:
    """udvalg code -> [(role, party)] of a Telegram user, read from the database."""
    uow = uow_factory()
    async with uow:
        person = await uow.persons.by_telegram_id(user.id)
        if person is None:
            return {}
        result: dict[str, list[tuple[str, str]]] = {}
        for m in await uow.memberships.for_person(person.id or 0):
            udvalg = await uow.udvalg.get(m.udvalg_id)
            assert udvalg is not None
            result.setdefault(udvalg.code, []).append((m.role.value, m.party or ""))
    return result


async def create_beu(chat: ChatHarness) -> None:
    await chat.send(
        ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Social- og Sundhedsforvaltningen"
    )


def only_text(calls: list[Sent]) -> str:
    texts = ChatHarness.texts(calls)
    assert len(texts) == 1, texts
    return texts[0]


async def test_full_invite_flow(
    chat: ChatHarness, uow_factory: UowFactory, clock: FrozenClock
) -> None:
    await create_beu(chat)

    # The admin invites the secretary: a one-time deep link with role, udvalg and expiry.
    link_message = only_text(await chat.send(ADMIN, "/inviter BEU sekretaer"))
    token = invite_token(link_message)
    assert link_message == (
        "Invitation som sekretær i Beskæftigelsesudvalget (BEU):\n"
        f"{LINK_PREFIX}{token}\n\n"
        # 23-11-2026 09:00 UTC + 7 days, shown in Copenhagen time (CET, UTC+1).
        "Send linket til personen. Det virker én gang og udløber 30-11-2026 kl. 10.00."
    )

    # The secretary opens the link and is greeted with the role.
    welcome = only_text(await chat.send(SECRETARY, f"/start {token}"))
    assert welcome.startswith(
        "Velkommen, Sofie Sekretær! Du er nu sekretær i Beskæftigelsesudvalget (BEU).\n\n"
        "Som sekretær kan du oprette møder med /nytmoede BEU"
    )
    assert await roles_of(uow_factory, SECRETARY) == {"BEU": [("sekretaer", "")]}

    # The secretary invites a member with a party letter.
    member_link = only_text(await chat.send(SECRETARY, "/inviter BEU medlem a"))
    assert member_link.startswith("Invitation som medlem (A) i Beskæftigelsesudvalget (BEU):")
    welcome = only_text(await chat.send(MEMBER, f"/start {invite_token(member_link)}"))
    assert welcome.startswith("Velkommen, Mads Medlem! Du er nu medlem i Beskæftigelsesudvalget")
    assert await roles_of(uow_factory, MEMBER) == {"BEU": [("medlem", "A")]}

    # A used link is refused for anyone, and gives no role.
    for user in (OUTSIDER, SECRETARY):
        assert only_text(await chat.send(user, f"/start {token}")) == (
            "Invitationslinket er allerede brugt. Et link virker kun én gang. "
            "Bed sekretæren om et nyt."
        )
    assert await roles_of(uow_factory, OUTSIDER) == {}
    assert await roles_of(uow_factory, SECRETARY) == {"BEU": [("sekretaer", "")]}


async def test_expired_link_is_refused(
    beu_committee: ChatHarness, uow_factory: UowFactory, clock: FrozenClock
) -> None:
    chat = beu_committee
    token = invite_token(only_text(await chat.send(SECRETARY, "/inviter BEU medlem")))

    clock.advance(timedelta(days=7, seconds=1))

    assert only_text(await chat.send(OUTSIDER, f"/start {token}")) == (
        "Invitationslinket er udløbet. Bed sekretæren om et nyt link."
    )
    assert await roles_of(uow_factory, OUTSIDER) == {}


async def test_link_still_works_just_before_expiry(
    beu_committee: ChatHarness, uow_factory: UowFactory, clock: FrozenClock
) -> None:
    chat = beu_committee
    token = invite_token(only_text(await chat.send(SECRETARY, "/inviter BEU stedfortraeder")))

    clock.advance(timedelta(days=7) - timedelta(minutes=1))

    welcome = only_text(await chat.send(OUTSIDER, f"/start {token}"))
    assert welcome.startswith("Velkommen, Otto Udenfor! Du er nu stedfortræder i")
    assert await roles_of(uow_factory, OUTSIDER) == {"BEU": [("stedfortraeder", "")]}


@pytest.mark.parametrize(
    "token", ["x", "A" * 32, "forged-token-that-was-never-issued", "bad token with spaces!!"]
)
async def test_forged_token_is_refused(
    beu_committee: ChatHarness, uow_factory: UowFactory, token: str
) -> None:
    chat = beu_committee
    assert only_text(await chat.send(OUTSIDER, f"/start {token}")) == (
        "Invitationslinket er ugyldigt. Bed sekretæren om et nyt link."
    )
    assert await roles_of(uow_factory, OUTSIDER) == {}


async def test_accepting_the_same_role_twice_keeps_one_membership(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    token = invite_token(only_text(await chat.send(SECRETARY, "/inviter BEU medlem A")))

    reply = only_text(await chat.send(MEMBER, f"/start {token}"))

    assert reply.startswith(
        "Du er allerede medlem i Beskæftigelsesudvalget (BEU). Invitationen er nu brugt."
    )
    assert await roles_of(uow_factory, MEMBER) == {"BEU": [("medlem", "A")]}


async def test_invite_uses_the_configured_lifetime_and_the_danish_zone_in_summer(
    chat: ChatHarness, clock: FrozenClock
) -> None:
    await create_beu(chat)
    clock.advance(timedelta(days=200))  # 11-06-2027 09:00 UTC, summer time (UTC+2)

    reply = only_text(await chat.send(ADMIN, "/inviter BEU tovholder"))

    assert reply.endswith("udløber 18-06-2027 kl. 11.00.")


@pytest.mark.parametrize("user", [MEMBER, TOVHOLDER, OUTSIDER])
@pytest.mark.parametrize("command", ["/inviter BEU medlem", "/inviter BEU", "/inviter"])
async def test_members_and_outsiders_may_not_invite(
    beu_committee: ChatHarness, uow_factory: UowFactory, user: TgUser, command: str
) -> None:
    before = await count_invites(uow_factory)

    reply = await beu_committee.send(user, command)

    assert only_text(reply) == NOT_SECRETARY
    assert reply[0].buttons() == []
    assert await count_invites(uow_factory) == before


async def test_secretary_of_one_udvalg_may_not_invite_to_another(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")
    before = await count_invites(uow_factory)

    assert only_text(await chat.send(SECRETARY, "/inviter SOU medlem")) == NOT_SECRETARY
    assert await count_invites(uow_factory) == before


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "/inviter BEU kasserer",
            "Jeg kender ikke rollen »kasserer«. Brug sekretær, formand, næstformand, medlem, "
            "stedfortræder eller tovholder.",
        ),
        ("/inviter XYZ medlem", "Jeg kender ikke udvalget XYZ. Tjek koden, fx BEU."),
        ("/inviter XYZ", "Jeg kender ikke udvalget XYZ. Tjek koden, fx BEU."),
        (
            "/inviter BEU medlem 123",
            "Partibogstavet »123« er ikke gyldigt. Brug 1-3 store bogstaver, fx A eller SF.",
        ),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(
    beu_committee: ChatHarness, uow_factory: UowFactory, command: str, expected: str
) -> None:
    before = await count_invites(uow_factory)

    assert only_text(await beu_committee.send(SECRETARY, command)) == expected
    assert await count_invites(uow_factory) == before


async def test_too_many_words_get_the_usage(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    before = await count_invites(uow_factory)

    reply = only_text(await beu_committee.send(SECRETARY, "/inviter BEU medlem A og mere"))

    assert reply.startswith("Lav et invitationslink sådan:\n/inviter KODE rolle [parti]")
    assert await count_invites(uow_factory) == before


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("sekretær", Role.SEKRETAER),
        ("Formand", Role.FORMAND),
        ("næstformand", Role.NAESTFORMAND),
        ("member", Role.MEDLEM),
        ("stedfortræder", Role.STEDFORTRAEDER),
        ("tovholder", Role.TOVHOLDER),
    ],
)
async def test_role_words_with_and_without_danish_letters(
    beu_committee: ChatHarness, uow_factory: UowFactory, word: str, role: Role
) -> None:
    chat = beu_committee
    token = invite_token(only_text(await chat.send(SECRETARY, f"/inviter beu {word}")))

    await chat.send(OUTSIDER, f"/start {token}")

    assert await roles_of(uow_factory, OUTSIDER) == {"BEU": [(role.value, "")]}


async def test_invite_with_buttons(beu_committee: ChatHarness, uow_factory: UowFactory) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")

    # The secretary is only offered the udvalg they are secretary of.
    [ask] = await chat.send(SECRETARY, "/inviter")
    assert ask.text == "Hvilket udvalg vil du invitere til?"
    assert ask.buttons() == [("BEU – Beskæftigelsesudvalget", InviteCb(code="BEU").pack())]

    [roles] = [c for c in await chat.press(SECRETARY, ask, ask.button("BEU")) if c.text]
    assert roles.method == "editMessageText"
    assert roles.text == "Hvilken rolle skal den inviterede have i BEU?"
    assert [label for label, _ in roles.buttons()] == [
        "sekretær",
        "formand",
        "næstformand",
        "medlem",
        "stedfortræder",
        "tovholder",
    ]
    for _, data in roles.buttons():
        assert len(data.encode()) <= 64

    formand = InviteCb(code="BEU", role="formand").pack()
    assert ("formand", formand) in roles.buttons()
    [link] = [c for c in await chat.press(SECRETARY, roles, formand) if c.text]
    assert link.method == "editMessageText"
    assert link.text is not None
    assert link.text.startswith("Invitation som formand i Beskæftigelsesudvalget (BEU):")
    await chat.send(OUTSIDER, f"/start {invite_token(link.text)}")
    assert await roles_of(uow_factory, OUTSIDER) == {"BEU": [("formand", "")]}


async def test_admin_gets_every_udvalg_as_buttons(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Velfærd")

    [ask] = await chat.send(ADMIN, "/inviter")

    assert [code for code, _ in ask.buttons()] == [
        "BEU – Beskæftigelsesudvalget",
        "SOU – Socialudvalget",
    ]


async def test_admin_without_any_udvalg_is_told_to_create_one(chat: ChatHarness) -> None:
    assert only_text(await chat.send(ADMIN, "/inviter")) == (
        "Der er ingen udvalg endnu. Opret et med /nytudvalg KODE Navn ; Forvaltning."
    )


async def test_code_only_asks_for_the_role(beu_committee: ChatHarness) -> None:
    [ask] = await beu_committee.send(SECRETARY, "/inviter beu")

    assert ask.text == "Hvilken rolle skal den inviterede have i BEU?"
    assert ask.button("tovholder") == InviteCb(code="BEU", role="tovholder").pack()


async def test_invite_secretary_button_after_creating_an_udvalg(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    [created] = await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Forvaltning")

    [link] = [c for c in await chat.press(ADMIN, created, created.button("Invitér")) if c.text]

    assert link.text is not None
    assert link.text.startswith("Invitation som sekretær i Beskæftigelsesudvalget (BEU):")
    await chat.send(SECRETARY, f"/start {invite_token(link.text)}")
    assert await roles_of(uow_factory, SECRETARY) == {"BEU": [("sekretaer", "")]}


@pytest.mark.parametrize("user", [MEMBER, OUTSIDER])
async def test_a_forwarded_invite_button_does_not_work_for_others(
    beu_committee: ChatHarness, uow_factory: UowFactory, user: TgUser
) -> None:
    chat = beu_committee
    [ask] = await chat.send(SECRETARY, "/inviter BEU")
    before = await count_invites(uow_factory)

    for data in (ask.button("medlem"), InviteCb(code="BEU").pack()):
        [alert] = await chat.press(user, ask, data)
        assert alert.method == "answerCallbackQuery"
        assert (alert.text, alert.show_alert) == (NOT_SECRETARY, True)
    assert await count_invites(uow_factory) == before


async def test_a_button_with_an_unknown_role_is_stale(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    chat = beu_committee
    [ask] = await chat.send(SECRETARY, "/inviter BEU")
    before = await count_invites(uow_factory)

    [alert] = await chat.press(SECRETARY, ask, InviteCb(code="BEU", role="kasserer").pack())

    assert alert.text == "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."
    assert await count_invites(uow_factory) == before
