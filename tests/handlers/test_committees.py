"""/nytudvalg: an admin creates a committee; everyone else is refused and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from agendas.model import AuditEvent
from handlers.callbacks import InviteCb
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import ADMIN, MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.support.recording import ChatHarness, TgUser

UowFactory = Callable[[], SqlUnitOfWork]

NOT_ADMIN = "Kun en administrator kan gøre det. Kontakt bottens administrator."
FREE_TEXT = "Jeg forstår kun kommandoer og knapper. Skriv /hjaelp for at se, hvad du kan."


async def stored_udvalg(uow_factory: UowFactory) -> dict[str, tuple[str, str]]:
    uow = uow_factory()
    async with uow:
        return {u.code: (u.name, u.forvaltning) for u in await uow.udvalg.list_all()}


async def count_rows(uow_factory: UowFactory, table: str) -> int:
    uow = uow_factory()
    async with uow:
        return int((await uow.session.execute(text(f"select count(*) from {table}"))).scalar_one())


async def test_admin_creates_udvalg_with_forvaltning_in_one_message(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    [reply] = await chat.send(
        ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Social- og Sundhedsforvaltningen"
    )

    assert reply.text == (
        "Udvalget Beskæftigelsesudvalget (BEU) er oprettet under Social- og "
        "Sundhedsforvaltningen.\n"
        "Invitér sekretæren med knappen nedenfor eller med /inviter BEU sekretær."
    )
    assert reply.button("Invitér sekretær") == InviteCb(code="BEU", role="sekretaer").pack()
    assert await stored_udvalg(uow_factory) == {
        "BEU": ("Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen")
    }
    actions = [e.action for e in await _audit(uow_factory)]
    assert actions == ["udvalg.create"]


async def _audit(uow_factory: UowFactory) -> list[AuditEvent]:
    uow = uow_factory()
    async with uow:
        return list(await uow.audit.list_recent())


async def test_lowercase_code_and_extra_spaces_are_normalised(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    await chat.send(ADMIN, "/nytudvalg  søu   Social-  og Ældreudvalget ;  Velfærd ")

    assert await stored_udvalg(uow_factory) == {"SØU": ("Social- og Ældreudvalget", "Velfærd")}


async def test_forvaltning_is_asked_for_when_missing(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    [question] = await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")
    assert question.text == (
        "Hvilken forvaltning hører Beskæftigelsesudvalget (BEU) under? Skriv navnet, fx Social- og "
        "Sundhedsforvaltningen. (/annuller afbryder.)"
    )
    assert await stored_udvalg(uow_factory) == {}

    [reply] = await chat.send(ADMIN, "Social- og Sundhedsforvaltningen")

    assert reply.text is not None
    assert reply.text.startswith("Udvalget Beskæftigelsesudvalget (BEU) er oprettet under Social-")
    assert await stored_udvalg(uow_factory) == {
        "BEU": ("Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen")
    }
    # The dialog is over: further text is not taken as a forvaltning.
    assert chat.texts(await chat.send(ADMIN, "Noget andet")) == [FREE_TEXT]


async def test_a_command_typed_in_the_forvaltning_step_is_not_taken_as_the_answer(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    [moeder] = await chat.send(ADMIN, "/moeder")
    assert moeder.text == "Der er ingen kommende eller nylige møder i dine udvalg."
    assert await stored_udvalg(uow_factory) == {}

    await chat.send(ADMIN, "Social- og Sundhedsforvaltningen")
    assert list(await stored_udvalg(uow_factory)) == ["BEU"]


async def test_too_long_forvaltning_is_refused_and_asked_again(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    [reply] = await chat.send(ADMIN, "F" * 121)

    assert reply.text == (
        "Skriv forvaltningens navn (højst 120 tegn).\n\n"
        "Skriv forvaltningens navn, eller /annuller for at afbryde."
    )
    assert await stored_udvalg(uow_factory) == {}
    await chat.send(ADMIN, "Social- og Sundhedsforvaltningen")
    assert list(await stored_udvalg(uow_factory)) == ["BEU"]


async def test_cancel_in_the_forvaltning_step_stores_nothing(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    assert chat.texts(await chat.send(ADMIN, "/annuller")) == [
        "Annulleret. Intet fra dialogen er gemt."
    ]
    assert chat.texts(await chat.send(ADMIN, "Social- og Sundhedsforvaltningen")) == [FREE_TEXT]
    assert await stored_udvalg(uow_factory) == {}


async def test_forvaltning_dialog_survives_a_restart(
    chat: ChatHarness, restart: Callable[[], ChatHarness], uow_factory: UowFactory
) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    again = restart()
    [reply] = await again.send(ADMIN, "Social- og Sundhedsforvaltningen")

    assert reply.text is not None and "er oprettet" in reply.text
    assert list(await stored_udvalg(uow_factory)) == ["BEU"]


@pytest.mark.parametrize("args", ["", " ", "BEU"])
async def test_missing_arguments_get_the_usage(chat: ChatHarness, args: str) -> None:
    [reply] = await chat.send(ADMIN, f"/nytudvalg {args}".strip())

    assert reply.text is not None
    assert reply.text.startswith("Opret et udvalg sådan:\n/nytudvalg KODE Navn ; Forvaltning")


@pytest.mark.parametrize("user", [SECRETARY, MEMBER, OUTSIDER, TOVHOLDER])
@pytest.mark.parametrize(
    "command", ["/nytudvalg BEU Beskæftigelsesudvalget; Forvaltning", "/nytudvalg BEU Navn", ""]
)
async def test_non_admins_are_refused_and_nothing_is_stored(
    chat: ChatHarness, uow_factory: UowFactory, user: TgUser, command: str
) -> None:
    [reply] = await chat.send(user, command or "/nytudvalg")

    assert reply.text == NOT_ADMIN
    # No dialog was started: the next text is not taken as a forvaltning.
    assert chat.texts(await chat.send(user, "Forvaltningen")) == [FREE_TEXT]
    assert await stored_udvalg(uow_factory) == {}
    assert await count_rows(uow_factory, "audit_event") == 0


async def test_non_admin_refused_even_after_a_committee_exists(
    beu_committee: ChatHarness, uow_factory: UowFactory
) -> None:
    [reply] = await beu_committee.send(SECRETARY, "/nytudvalg SOU Socialudvalget; Velfærd")

    assert reply.text == NOT_ADMIN
    assert list(await stored_udvalg(uow_factory)) == ["BEU"]


@pytest.mark.parametrize("code", ["B", "B!", "1BEU", "ALTFORLANGKODE"])
@pytest.mark.parametrize("forvaltning", ["; Forvaltning", ""])
async def test_bad_code_is_refused_before_anything_is_asked(
    chat: ChatHarness, uow_factory: UowFactory, code: str, forvaltning: str
) -> None:
    [reply] = await chat.send(ADMIN, f"/nytudvalg {code} Udvalget {forvaltning}")

    assert reply.text == (
        f"Udvalgskoden »{code}« er ikke gyldig. Brug 2-10 store bogstaver eller tal, fx BEU."
    )
    assert chat.texts(await chat.send(ADMIN, "Forvaltningen")) == [FREE_TEXT]
    assert await stored_udvalg(uow_factory) == {}


@pytest.mark.parametrize("forvaltning", ["; Anden forvaltning", ""])
async def test_duplicate_code_is_refused_and_the_first_is_kept(
    chat: ChatHarness, uow_factory: UowFactory, forvaltning: str
) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Social- og Sundhed")

    [reply] = await chat.send(ADMIN, f"/nytudvalg beu Et andet udvalg {forvaltning}")

    assert reply.text == "Der findes allerede et udvalg med koden BEU."
    assert await stored_udvalg(uow_factory) == {
        "BEU": ("Beskæftigelsesudvalget", "Social- og Sundhed")
    }
    assert chat.texts(await chat.send(ADMIN, "Forvaltningen")) == [FREE_TEXT]


async def test_missing_name_before_the_semicolon(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    [reply] = await chat.send(ADMIN, "/nytudvalg BEU ; Social- og Sundhedsforvaltningen")

    assert reply.text == "Skriv udvalgets navn (højst 120 tegn)."
    assert await stored_udvalg(uow_factory) == {}


async def test_too_long_name_is_refused(chat: ChatHarness, uow_factory: UowFactory) -> None:
    [reply] = await chat.send(ADMIN, "/nytudvalg BEU " + "N" * 121)

    assert reply.text == "Skriv udvalgets navn (højst 120 tegn)."
    assert await stored_udvalg(uow_factory) == {}


async def test_user_text_is_escaped_in_the_answer(chat: ChatHarness) -> None:
    [reply] = await chat.send(ADMIN, "/nytudvalg BEU <b>Udvalg</b> & co; Forvaltning")

    assert reply.text is not None
    assert "&lt;b&gt;Udvalg&lt;/b&gt; &amp; co" in reply.text


def _server_error() -> Exception:
    from aiogram.exceptions import TelegramServerError
    from aiogram.methods import SendMessage

    return TelegramServerError(SendMessage(chat_id=1, text="x"), "Internal Server Error")


async def test_a_reply_that_meets_a_5xx_is_sent_again(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    """Issue 16: a handler's own reply was lost on one 5xx."""
    chat.session.send_faults = [_server_error()]
    calls = await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Forvaltningen")
    assert any("BEU" in (c.text or "") for c in calls if c.method == "sendMessage")
    assert "BEU" in await stored_udvalg(uow_factory)


async def test_a_fault_after_the_commit_does_not_say_that_nothing_was_stored(
    chat: ChatHarness, uow_factory: UowFactory
) -> None:
    """Issue 16: the committee was created, the reply failed, and the admin was told nothing was
    stored. Four faults outlast the retries; the error message then gets through."""
    chat.session.send_faults = [_server_error() for _ in range(4)]
    calls = await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Forvaltningen")
    [told] = [c.text or "" for c in calls if c.method == "sendMessage"]
    assert "efter at ændringen var gemt" in told
    assert "Intet er gemt" not in told
    assert "BEU" in await stored_udvalg(uow_factory)


async def test_a_fault_before_anything_is_stored_still_says_so(chat: ChatHarness) -> None:
    chat.session.send_faults = [_server_error() for _ in range(4)]
    calls = await chat.send(ADMIN, "/hjaelp")
    [told] = [c.text or "" for c in calls if c.method == "sendMessage"]
    assert "Intet er gemt fra denne besked" in told
